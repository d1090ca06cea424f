"""Reading a published Ofsted report (PDF) into a draft plan (`ofsted-bot plan draft`)."""
