"""Dev-only tools, never used by the bot serving Slack: the fake Slack Web API (`fakeslack`),
signed request builders (`slack_requests`), the Block Kit limit checker (`block_limits`) and
the offline console's renderer (`console_render`). Tests, benchmarks and the offline console
use them."""
