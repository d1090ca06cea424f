"""What a person reads in each sample report (../shared/reports), written from the PDFs' text
(pdftotext), not from the drafter's output: who, when, by whom, the grades, and the areas for
improvement (how many, how numbered, the first and last as printed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

OUT, GOOD, INAD = "Outstanding", "Good", "Inadequate"
RI = "Requires improvement to be good"
SIF_RI = "Requires improvement"  # SIF grades, and Nottinghamshire 2019 prints it too
LEADERS = "The impact of leaders on social work practice with children and families"
HELP = "The experiences and progress of children who need help and protection"
CARE = "The experiences and progress of children in care and care leavers"
IN_CARE = "The experiences and progress of children in care"
LEAVERS = "The experiences and progress of care leavers"
ILACS3 = (LEADERS, HELP, CARE)
ILACS4 = (LEADERS, HELP, IN_CARE, LEAVERS)
SIF = (
    "Children who need help and protection",
    "Children looked after and achieving permanence",
    "Adoption performance",
    "Experiences and progress of care leavers",
    "Leadership, management and governance",
)
NF = "national framework"


@dataclass(frozen=True)
class Expect:
    council: str
    inspected: tuple[date, date]
    lead: str
    overall: str | None
    areas: tuple[str, ...]
    grades: tuple[str, ...]
    count: int
    first: str = ""
    last: str = ""
    numbered: bool = False  # numbers printed (SIF) rather than bullets
    published: date | None = None
    frameworks: tuple[str, ...] = ()  # per item, where tagged
    lscb: tuple[str, int, str, str] | None = None  # grade, count, first, last
    first_findings: tuple[str, ...] = ()  # paragraphs the report itself cites
    extra: dict[str, str] = field(default_factory=dict)


def d(text: str) -> date:
    return date.fromisoformat(text)


REPORTS: dict[str, Expect] = {
    "blackburn-with-darwen-2017-12-08": Expect(
        "Blackburn with Darwen Borough Council",
        (d("2017-09-25"), d("2017-10-19")),
        "Neil Penswick",
        "good",
        SIF,
        (SIF_RI, GOOD, GOOD, GOOD, GOOD),
        9,
        "Ensure that all assessments are timely and updated to reflect changes in the children’s "
        "lives, and to take account of their history and identity needs.",
        "Ensure that the performance monitoring framework analyses and reports on children’s "
        "individual experiences, as well as the compliance of the activity undertaken by social "
        "workers.",
        numbered=True,
        published=d("2017-12-08"),
        lscb=(
            "good",
            3,
            "Ensure that the Local Safeguarding Children Board (LSCB) continues to have a good "
            "understanding of the resource challenges faced by agencies and how these impact on "
            "the individual experiences of children and their families.",
            "Consider the timing of publication of the annual report to assist in planning and "
            "delivering priorities with partner agencies.",
        ),
    ),
    "bradford-2018-10-29": Expect(
        "City of Bradford Metropolitan District Council",
        (d("2018-09-17"), d("2018-09-28")),
        "Neil Penswick",
        INAD,
        ILACS3,
        (RI, INAD, RI),
        10,
        "the identification and response to risk, particularly the longer-term impact of "
        "domestic abuse and neglect",
        "supervision of social work staff, which provides direction, to be regular and reflective.",
    ),
    "bradford-2026-05-21": Expect(
        "Bradford Children and Families Trust",
        (d("2026-01-12"), d("2026-01-23")),
        "Catherine Heron",
        RI,
        (LEADERS, HELP, IN_CARE, "The experiences and progress of children care leavers"),
        (GOOD, RI, RI, GOOD),
        5,
        "Recognition of the unique characteristics and increased vulnerability of disabled "
        "children in child protection plans.",
        "The quality and effectiveness of management oversight of children’s plans.",
        frameworks=(
            f"outcome 3, {NF}",
            f"outcome 4, {NF}",
            f"outcome 4, {NF}",
            f"outcome 4, {NF}",
            f"enabler 2, {NF}",
        ),
    ),
    "buckinghamshire-2025-05-14": Expect(
        "Buckinghamshire Council",
        (d("2025-01-27"), d("2025-02-07")),
        "Nick Bennison",
        RI,
        ILACS4,
        (RI, RI, GOOD, RI),
        7,
        "The quality and robustness of management oversight to promote consistently effective "
        "social work.",
        "The engagement and participation of care-experienced children and young people in the "
        "corporate parenting board.",
        frameworks=(
            "National Framework enabler two",
            "National Framework outcome three",
            "National Framework outcome two",
            "National Framework outcome four",
            "National Framework outcome four",
            "National Framework outcome four",
            "National Framework enabler two",
        ),
    ),
    "bury-2025-07-29": Expect(
        "Bury",
        (d("2025-06-09"), d("2025-06-20")),
        "Rebecca Dubbins",
        RI,
        ILACS4,
        (GOOD, RI, RI, RI),
        5,
        "The quality of plans and contingency planning for children, including timescales for "
        "action",
        "The consistency of decisions by the local authority designated officer (LADO) and the "
        "extent to which those decisions are evidenced",
        frameworks=(
            f"outcome 3, {NF}",
            f"enabler 2, {NF}",
            f"enabler 3, {NF}",
            f"principle 2, {NF}",
            f"outcome 3, {NF}",
        ),
    ),
    "central-bedfordshire-2022-03-04": Expect(
        "Central Bedfordshire",
        (d("2022-01-17"), d("2022-01-21")),
        "Margaret Burke",
        GOOD,
        ILACS3,
        (GOOD, GOOD, GOOD),
        3,
        "The appraisal of information, to inform decision-making about contacts and child "
        "protection enquiries, to ensure that children receive the support they need at the "
        "earliest opportunity.",
        "The consistency in recording key decisions and changes in children’s plans on case "
        "records.",
    ),
    "cornwall-2019-11-05": Expect(
        "Cornwall Council",
        (d("2019-10-14"), d("2019-10-18")),
        "Emmy Tomsett",
        OUT,
        ILACS3,
        (OUT, GOOD, OUT),
        3,
        "The provision of suitable accommodation for 16- and 17-year-old homeless young people, "
        "including:\nsufficiency of accommodation\nassessment and support available to young "
        "people\nmanagement oversight of the use of any unregulated provision.",
        "The quality of plans for children across the service, particularly timescales for "
        "actions.",
    ),
    "coventry-2026-05-18": Expect(
        "Coventry",
        (d("2026-03-09"), d("2026-03-13")),
        "Sophie Wales",
        OUT,
        ILACS4,
        (OUT, GOOD, OUT, OUT),
        2,
        "The consistency of the quality and impact of planning for children in need of help and "
        "protection.",
        "The consistency of the quality and impact of supervision.",
        frameworks=(f"outcome 2, {NF}", f"enabler 3, {NF}"),
    ),
    "east-sussex-2018-09-04": Expect(
        "East Sussex County Council",
        (d("2018-07-16"), d("2018-07-20")),
        "Mandy Nightingale",
        OUT,
        ILACS3,
        (OUT, GOOD, OUT),
        2,
        "The consideration and recording of managers’ rationale for the timescales they agree "
        "for completing family assessments, in line with each child’s presenting needs.",
        "The clarity and accessibility of letters that are sent to parents when legal "
        "proceedings are being considered.",
    ),
    "hertfordshire-2015-11-27": Expect(
        "Hertfordshire County Council",
        (d("2015-09-14"), d("2015-10-08")),
        "Jansy Kelly",
        "good",
        SIF,
        (SIF_RI, GOOD, GOOD, GOOD, GOOD),
        9,
        "Strengthen the quality of planning and management oversight for children in need and "
        "those on a child protection plans to ensure children experience timely intervention "
        "and support.",
        "Improve the number of care leavers who are engaged in employment, education and "
        "training by expanding the range of education and training options available to care "
        "leavers; particularly apprenticeships and traineeships.",
        numbered=True,
        published=d("2015-11-27"),
        first_findings=("27", "29", "103"),
        lscb=(
            "good",
            3,
            "Ensure that action plans are implemented in response to all case audits, showing "
            "how relevant partners are being held to account for the improvements required.",
            "Implement the findings of its recent training review, including the systematic "
            "approach to training needs analysis, continue to diversify the training offer and "
            "minimise any delays for professionals who need safeguarding training.",
        ),
    ),
    "hillingdon-2023-11-20": Expect(
        "Hillingdon",
        (d("2023-10-02"), d("2023-10-06")),
        "Christine Kennet",
        OUT,
        ILACS4,
        (OUT, GOOD, OUT, GOOD),
        2,
        "Services for 16- and 17-year-olds who present as homeless.",
        "Keeping in touch with care leavers and ensuring that their rights and entitlements are "
        "communicated effectively.",
    ),
    "isle-of-wight-2019-01-07": Expect(
        "Isle of Wight Council",
        (d("2018-11-19"), d("2018-11-30")),
        "Tracey Scott",
        GOOD,
        ILACS3,
        (GOOD, GOOD, GOOD),
        4,
        "The quality and oversight of children subject to pre-proceedings plans and the "
        "accessibility and clarity of letters before proceedings.",
        "The recording of reflective discussion and actions to progress plans in case "
        "supervision records.",
    ),
    "kingston-upon-thames-2019-12-19": Expect(
        "Royal Borough of Kingston upon Thames",
        (d("2019-10-21"), d("2019-10-25")),
        "Marcie Taylor",
        OUT,
        ILACS3,
        (OUT, GOOD, OUT),
        2,
        "The review of child in need plans, including plans for disabled children.",
        "The range and targeting of post-16 pathways into employment, including apprenticeships "
        "and local business opportunities.",
    ),
    "lambeth-2022-12-16": Expect(
        "Lambeth",
        (d("2022-10-24"), d("2022-11-04")),
        "Russel Breyer",
        RI,
        ILACS3,
        (RI, RI, RI),
        7,
        "Timeliness, oversight and effectiveness of pre-proceedings, care proceedings and plans "
        "for permanence for children.",
        "Life-story work for all children with a longer-term plan.",
    ),
    "lambeth-2026-03-10": Expect(
        "Lambeth",
        (d("2026-01-12"), d("2026-01-23")),
        "Jenny-ellen Scotland",
        GOOD,
        ILACS4,
        (GOOD, RI, GOOD, OUT),
        3,
        "Screening and decision-making for children who present at the front door without "
        "identified safeguarding concerns.",
        "The undertaking and quality of return home interviews for children who go missing "
        "from care.",
        frameworks=(f"outcome 3, {NF}",) * 3,
    ),
    "medway-2019-08-27": Expect(
        "Medway Children’s Services",
        (d("2019-07-15"), d("2019-07-26")),
        "Brenda McLaughlin",
        INAD,
        ILACS3,
        (INAD, INAD, RI),
        10,
        "Senior managers’ oversight and understanding about vulnerable children’s experiences, "
        "including through the quality, accuracy and effectiveness of audits.",
        "Leadership direction and assertive action to improve and develop the services to "
        "foster carers and prospective adopters.",
    ),
    "norfolk-2023-01-13": Expect(
        "Norfolk",
        (d("2022-11-07"), d("2022-11-18")),
        "Margaret Burke",
        GOOD,
        ILACS3,
        (GOOD, GOOD, GOOD),
        3,
        "The practice response to children aged 16 and 17 who present as homeless.",
        "Decision-making, practice and support to children placed within their family and "
        "friends networks, which also ensures that carers are well supported and regulation "
        "requirements are consistently met.",
    ),
    "north-lincolnshire-2022-11-25": Expect(
        "North Lincolnshire",
        (d("2022-10-10"), d("2022-10-14")),
        "Jan Edwards",
        OUT,
        ILACS3,
        (OUT, OUT, OUT),
        0,
        extra={
            "prose": "There are an extremely small number of areas of "
            "variability in what is otherwise an exceptional practice."
        },
    ),
    "north-yorkshire-2023-08-18": Expect(
        "North Yorkshire",
        (d("2023-07-03"), d("2023-07-07")),
        "Jan Edwards",
        OUT,
        ILACS4,
        (OUT, OUT, OUT, OUT),
        1,
        "The recording of manager oversight and decision-making within the Public Law Outline, "
        "and the quality of the letter before proceedings to make it accessible for parents.",
        "The recording of manager oversight and decision-making within the Public Law Outline, "
        "and the quality of the letter before proceedings to make it accessible for parents.",
    ),
    "nottinghamshire-2019-12-19": Expect(
        "Nottinghamshire County Council",
        (d("2019-10-07"), d("2019-10-18")),
        "Margaret Burke",
        GOOD,
        ILACS3,
        (GOOD, SIF_RI, GOOD),
        4,
        "The quality of strategy discussions and meetings so that they are always timely, "
        "involve all relevant partners and are well recorded.",
        "The assessments, support and oversight of children in care placed with family and "
        "friend carers.",
    ),
    "oxfordshire-2024-04-09": Expect(
        "Oxfordshire",
        (d("2024-02-12"), d("2024-02-23")),
        "Nicki Shaw",
        GOOD,
        ILACS4,
        (GOOD, GOOD, GOOD, GOOD),
        4,
        "The timeliness of actions when decisions have been made for children to escalate to "
        "the pre-proceedings arrangements of the Public Law Outline.",
        "The quality of direct work with disabled children who are in care.",
    ),
    "redcar-and-cleveland-2022-09-22": Expect(
        "Redcar and Cleveland",
        (d("2022-06-20"), d("2022-07-01")),
        "Jan Edwards",
        RI,
        ILACS3,
        (RI, RI, RI),
        6,
        "The effectiveness and consistent recording of management oversight, decision-making "
        "and quality assurance at all levels of the service.",
        "The corporate parent response to care leavers.",
    ),
    "richmond-upon-thames-2025-08-12": Expect(
        "Richmond upon Thames",
        (d("2025-06-30"), d("2025-07-04")),
        "Nick Bennison",
        OUT,
        (LEADERS, HELP, IN_CARE, "The experiences and progress of children care leavers"),
        (OUT, GOOD, OUT, OUT),
        2,
        "The consistency and effectiveness of practice with children at risk of harm from "
        "long-term neglect.",
        "The effectiveness of out-of-hours child protection planning.",
        frameworks=(f"outcome 3, {NF}", f"outcome 3, {NF}"),
    ),
    "slough-2023-03-17": Expect(
        "Slough",
        (d("2023-01-23"), d("2023-02-03")),
        "Amanda Maxwell",
        RI,
        ILACS4,
        (INAD, RI, RI, RI),
        7,
        "The scrutiny by senior leaders of the council and the governance arrangements between "
        "these leaders and Slough Children First.",
        "The timeliness and oversight of placement with parents and connected persons "
        "arrangements.",
    ),
    "sutton-2022-02-01": Expect(
        "Sutton",
        (d("2021-12-06"), d("2021-12-10")),
        "Brenda McLaughlin",
        GOOD,
        ILACS3,
        (OUT, GOOD, GOOD),
        2,
        "The quality of practice and earlier planning to meet the needs of care leavers.",
        "Leaders’ knowledge and understanding about what happens to children when they go "
        "missing from home or care.",
    ),
    "thurrock-2024-10-29": Expect(
        "Thurrock",
        (d("2024-09-16"), d("2024-09-20")),
        "Rachel Griffiths",
        OUT,
        ILACS4,
        (OUT, OUT, OUT, OUT),
        0,
    ),
    "tower-hamlets-2017-04-07": Expect(
        "London Borough of Tower Hamlets",
        (d("2017-01-23"), d("2017-02-16")),
        "Brenda McLaughlin",
        "inadequate",
        SIF,
        (INAD, SIF_RI, SIF_RI, SIF_RI, INAD),
        15,
        "Take immediate action to ensure that work with children and their families is "
        "compliant with basic practice standards and that poor practice is challenged across "
        "all service areas.",
        "Implement the workforce strategy as swiftly as possible to improve workforce stability "
        "and capacity. Undertake a training needs analysis to ensure that the workforce is "
        "appropriately trained in order to achieve improvements and consistency in the quality "
        "of practice.",
        numbered=True,
        published=d("2017-04-07"),
        lscb=(
            "inadequate",
            5,
            "Urgently review monitoring and governance arrangements to ensure that the board "
            "is fulfilling all of its statutory functions.",
            "Ensure that the effectiveness of multi-agency training is monitored and "
            "evaluated, including training for staff in recognising and assessing risks to "
            "sexually exploited children.",
        ),
    ),
    "wakefield-2016-09-20": Expect(
        "Wakefield Metropolitan District Council",
        (d("2016-07-05"), d("2016-07-27")),
        "Susan Myers",
        "require improvement to be good",
        SIF,
        (SIF_RI, SIF_RI, GOOD, GOOD, SIF_RI),
        13,
        "Accelerate plans to improve the full utilisation of the electronic recording system, "
        "so that accurate data informs performance management reports to enable senior leaders "
        "to measure and improve practice and to support frontline managers and staff in their "
        "oversight and management of work.",
        "Ensure that senior managers establish closer and more effective working relationships "
        "with local housing providers, to increase care leavers’ access to tenancies.",
        numbered=True,
        published=d("2016-09-20"),
        lscb=(
            "good",
            4,
            "Ensure that there is sufficient support provided by the board’s business unit to "
            "enable all meetings to be well recorded and progress to be set out against "
            "actions, so that all members can be held to account for their respective "
            "responsibilities and there are clear audit trails of sub-committee activity and "
            "impact.",
            "Improve the understanding of the effectiveness of multi-agency safeguarding "
            "training needs, so that future training plans are able to target training where "
            "it is needed the most and where it will have the greatest impact. Consideration "
            "should be given to accrediting trainers and participants in the voluntary sector "
            "to enhance their contribution.",
        ),
    ),
    "waltham-forest-2019-03-11": Expect(
        "London Borough of Waltham Forest",
        (d("2019-01-28"), d("2019-02-08")),
        "Andy Whippey",
        GOOD,
        ILACS3,
        (OUT, GOOD, GOOD),
        5,
        "The quality of children’s plans to ensure that they are child-specific and identify "
        "timescales for change.",
        "Care leavers’ access to their health history and the comprehensiveness of pathway plans.",
    ),
    "wandsworth-2016-02-16": Expect(
        "London Borough of Wandsworth",
        (d("2015-11-24"), d("2015-12-17")),
        "Carolyn Spray",
        "inadequate",
        SIF,
        (INAD, SIF_RI, SIF_RI, INAD, INAD),
        17,
        "Strengthen management oversight so that thresholds and child protection procedures "
        "are applied appropriately and robustly, ensuring that all children in need of help and "
        "protection are seen promptly and given the right service at the right time.",
        "Ensure that the electronic social care recording system promotes good social work "
        "practice, supports effective managerial oversight and provides accurate performance "
        "information.",
        numbered=True,
        published=d("2016-02-16"),
        lscb=(
            "requires improvement",
            5,
            "Ensure that key performance indicators agreed by the Board are routinely "
            "collated, analysed and reported to partners, enabling them to evaluate the impact "
            "of multi-agency practice to safeguard children.",
            "Ensure that the programme of multi-agency training is subject to long-term "
            "evaluation of its impact on practice and outcomes. Ensure that the assessment of "
            "training needs from agencies includes information from long-term evaluation to "
            "better enable the Board to commission future training.",
        ),
    ),
    "warwickshire-2017-07-14": Expect(
        "Warwickshire",
        (d("2017-05-02"), d("2017-05-25")),
        "Peter McEntee",
        "require improvement to be good",
        SIF,
        (SIF_RI, SIF_RI, GOOD, SIF_RI, SIF_RI),
        12,
        "Ensure that all children and families have access to good-quality early help services "
        "as soon as they need them and that the early help strategy is fully understood and "
        "delivered in partnership with all agencies.",
        "Ensure that regular meetings between the agency decision-maker and the panel chair are "
        "embedded in practice to support accountability and discussions about the quality of "
        "the service.",
        numbered=True,
        published=d("2017-07-14"),
        lscb=(
            "requires improvement",
            4,
            "Complete a review of the effectiveness of the early help offer without delay. The "
            "board should ensure that a threshold document is in place that helps partners to "
            "understand and apply thresholds when making decisions about their roles in "
            "supporting families or referring to children’s social care.",
            "Ensure that neglect screening and assessment tools are implemented and that a "
            "plan is in place to review their effectiveness.",
        ),
    ),
    "westminster-2019-10-15": Expect(
        "City of Westminster",
        (d("2019-09-09"), d("2019-09-13")),
        "Nick Stacey",
        OUT,
        ILACS3,
        (OUT, OUT, OUT),
        1,
        "The formal matching and panel approval of adolescents in long-term foster homes.",
        "The formal matching and panel approval of adolescents in long-term foster homes.",
    ),
    "windsor-maidenhead-2024-11-19": Expect(
        "the Royal Borough of Windsor and Maidenhead",
        (d("2024-10-07"), d("2024-10-11")),
        "Claire Beckingham",
        GOOD,
        ILACS4,
        (GOOD, GOOD, GOOD, OUT),
        2,
        "The stability of the workforce to minimise changes of social worker for children.",
        "The consistency of practice and management oversight for disabled children.",
    ),
}
