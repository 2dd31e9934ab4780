"""A synthetic Data Release Register at national scale, for benchmarks.

The real register is too small in any one file to say how the pipeline behaves on
many years at once, and too irregular to be replaced by lorem ipsum.  This module
writes register pages in the three page formats seen in the wild (mostly the newer
one) and workbooks in the real column layouts, built from the *structures* of real
processing statements: purpose sub-headings, numbered steps, ``Data Processor N –
Name`` headers, landing-only hops, CEfFs in a CCG or a CSU, linkage lists,
re-identification with keys held by a key-holder, onward flows to another CCG and
negated sentences.  It also plants the defects real pages have: reversed windows,
missing ``Datasets:``/``Objectives:`` labels, trailing white space after references
and a truncated last entry now and then.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same
seed gives the same bytes (workbooks included: their zip entries and document
properties carry fixed dates).  It is a benchmarking aid, not a data source.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SynthSummary", "write_register"]

#: Fixed timestamp of every workbook (document properties and zip entries).
_EPOCH = (2018, 1, 15, 16, 41, 16)

# ---------------------------------------------------------------------------------------
# Names (drawn from dataflow_graph/data/organisations.yaml and the 2017 register)

_PLACES = (
    "Thurrock",
    "Basildon and Brentwood",
    "Castle Point and Rochford",
    "Southend",
    "Camden",
    "Enfield",
    "Redbridge",
    "Havering",
    "Waltham Forest",
    "Barking and Dagenham",
    "Newham",
    "Tower Hamlets",
    "City and Hackney",
    "Islington",
    "Haringey",
    "Barnet",
    "Brent",
    "Harrow",
    "Hillingdon",
    "Ealing",
    "Hounslow",
    "Hammersmith and Fulham",
    "Central London",
    "West London",
    "Lambeth",
    "Southwark",
    "Lewisham",
    "Greenwich",
    "Bexley",
    "Bromley",
    "Croydon",
    "Sutton",
    "Merton",
    "Kingston",
    "Richmond",
    "Wandsworth",
    "Oldham",
    "Bury",
    "Heywood, Middleton and Rochdale",
    "North Manchester",
    "Central Manchester",
    "South Manchester",
    "Trafford",
    "Salford",
    "Stockport",
    "Tameside and Glossop",
    "Wigan Borough",
    "Bolton",
    "Liverpool",
    "Knowsley",
    "St Helens",
    "Halton",
    "Warrington",
    "Eastern Cheshire",
    "South Cheshire",
    "Vale Royal",
    "West Cheshire",
    "Wirral",
    "South Sefton",
    "Southport and Formby",
    "Blackpool",
    "Fylde and Wyre",
    "Chorley and South Ribble",
    "Greater Preston",
    "East Lancashire",
    "Blackburn with Darwen",
    "Morecambe Bay",
    "Cumbria",
    "Darlington",
    "Durham Dales, Easington and Sedgefield",
    "North Durham",
    "Hartlepool and Stockton-on-Tees",
    "South Tees",
    "Sunderland",
    "South Tyneside",
    "Newcastle Gateshead",
    "North Tyneside",
    "Northumberland",
    "Hambleton, Richmondshire and Whitby",
    "Scarborough and Ryedale",
    "Harrogate and Rural District",
    "Vale of York",
    "Leeds",
    "Bradford City",
    "Bradford Districts",
    "Airedale, Wharfedale and Craven",
    "Calderdale",
    "Greater Huddersfield",
    "North Kirklees",
    "Wakefield",
    "Barnsley",
    "Rotherham",
    "Doncaster",
    "Sheffield",
    "Bassetlaw",
    "Hardwick",
    "North Derbyshire",
    "Southern Derbyshire",
    "Erewash",
    "Mansfield and Ashfield",
    "Newark and Sherwood",
    "Nottingham City",
    "Nottingham North and East",
    "Nottingham West",
    "Rushcliffe",
    "Lincolnshire East",
    "Lincolnshire West",
    "South Lincolnshire",
    "South West Lincolnshire",
    "Leicester City",
    "West Leicestershire",
    "East Leicestershire and Rutland",
    "Corby",
    "Nene",
    "Birmingham CrossCity",
    "Birmingham South and Central",
    "Sandwell and West Birmingham",
    "Solihull",
    "Walsall",
    "Wolverhampton",
    "Dudley",
    "Redditch and Bromsgrove",
    "Wyre Forest",
    "South Worcestershire",
    "Herefordshire",
    "Shropshire",
    "Telford and Wrekin",
    "Stoke on Trent",
    "North Staffordshire",
    "Stafford and Surrounds",
    "Cannock Chase",
    "East Staffordshire",
    "South East Staffordshire and Seisdon Peninsula",
    "Coventry and Rugby",
    "Warwickshire North",
    "South Warwickshire",
    "Bedfordshire",
    "Luton",
    "Milton Keynes",
    "Aylesbury Vale",
    "Chiltern",
    "Bracknell and Ascot",
    "Slough",
    "Windsor, Ascot and Maidenhead",
    "Newbury and District",
    "North and West Reading",
    "South Reading",
    "Wokingham",
    "Oxfordshire",
    "Swindon",
    "Wiltshire",
    "Bath and North East Somerset",
    "Bristol",
    "North Somerset",
    "South Gloucestershire",
    "Gloucestershire",
    "Somerset",
    "Kernow",
    "Northern, Eastern and Western Devon",
    "South Devon and Torbay",
    "Dorset",
    "Fareham and Gosport",
    "South Eastern Hampshire",
    "North Hampshire",
    "West Hampshire",
    "Portsmouth",
    "Southampton",
    "Isle of Wight",
    "Coastal West Sussex",
    "Crawley",
    "Horsham and Mid Sussex",
    "Brighton and Hove",
    "High Weald Lewes Havens",
    "Eastbourne, Hailsham and Seaford",
    "Hastings and Rother",
    "Canterbury and Coastal",
    "Ashford",
    "South Kent Coast",
    "Thanet",
    "Swale",
    "Dartford, Gravesham and Swanley",
    "Medway",
    "West Kent",
    "East Surrey",
    "Guildford and Waverley",
    "North West Surrey",
    "Surrey Downs",
    "Surrey Heath",
    "North East Essex",
    "Mid Essex",
    "West Essex",
    "East and North Hertfordshire",
    "Herts Valleys",
    "Cambridgeshire and Peterborough",
    "Great Yarmouth and Waveney",
    "North Norfolk",
    "South Norfolk",
    "Norwich",
    "West Norfolk",
    "Ipswich and East Suffolk",
    "West Suffolk",
)
_ICBS = (
    "MID AND SOUTH ESSEX",
    "NORTH EAST LONDON",
    "NORTH CENTRAL LONDON",
    "GREATER MANCHESTER",
    "CHESHIRE AND MERSEYSIDE",
    "LANCASHIRE AND SOUTH CUMBRIA",
    "NORTH EAST AND NORTH CUMBRIA",
    "WEST YORKSHIRE",
    "SOUTH YORKSHIRE",
    "DERBY AND DERBYSHIRE",
    "NOTTINGHAM AND NOTTINGHAMSHIRE",
    "LINCOLNSHIRE",
    "BIRMINGHAM AND SOLIHULL",
    "BLACK COUNTRY",
    "KENT AND MEDWAY",
    "SUSSEX",
    "FRIMLEY",
    "HAMPSHIRE AND ISLE OF WIGHT",
    "BRISTOL, NORTH SOMERSET AND SOUTH GLOUCESTERSHIRE",
    "NORFOLK AND WAVENEY",
    "SUFFOLK AND NORTH EAST ESSEX",
    "HERTFORDSHIRE AND WEST ESSEX",
)


@dataclass(frozen=True, slots=True)
class _Region:
    """One DSCRO and the CSU it feeds, with the spellings statements use for each."""

    dscro: tuple[str, ...]
    dscro_long: tuple[str, ...]
    csu: tuple[str, ...]
    csu_page: str


_REGIONS = (
    _Region(
        ("North East London DSCRO", "NEL DSCRO", "North & East London DSCRO"),
        (
            "North East London Data Services for Commissioners Regional Office (DSCRO)",
            "North & East London (NEL) Data Services for Commissioners Regional Office",
        ),
        (
            "North East London Commissioning Support Unit",
            "NEL CSU",
            "North East London CSU",
            "NHS North and East London Commissioning Support Unit",
        ),
        "NHS NORTH AND EAST LONDON COMMISSIONING SUPPORT UNIT",
    ),
    _Region(
        ("North West DSCRO", "DSCRO North West"),
        ("North West Data Services for Commissioners Regional Office (DSCRO)",),
        ("Arden & GEM CSU", "Arden and GEM CSU", "Arden and Greater East Midlands CSU"),
        "NHS ARDEN AND GREATER EAST MIDLANDS COMMISSIONING SUPPORT UNIT",
    ),
    _Region(
        ("GEM DSCRO", "Greater East Midlands (GEM) DSCRO"),
        ("GEM Data Services for Commissioners Regional Office (DSCRO)",),
        ("Arden & GEM CSU", "Arden & Greater East Midlands CSU"),
        "NHS ARDEN AND GREATER EAST MIDLANDS COMMISSIONING SUPPORT UNIT",
    ),
    _Region(
        ("Central and Midlands DSCRO", "Central Midlands DSCRO", "Central & Midlands DSCRO"),
        (
            "Central and Midlands Data Services for Commissioning Regional Office (DSCRO)",
            "Central Midlands Data Services for Commissioners Regional Office (DSCRO)",
        ),
        ("Midlands and Lancashire CSU", "Midlands & Lancashire CSU"),
        "NHS MIDLANDS AND LANCASHIRE COMMISSIONING SUPPORT UNIT",
    ),
    _Region(
        ("South London DSCRO", "DSCRO South London"),
        ("South London Data Services for Commissioners Regional Office (DSCRO)",),
        ("South East CSU", "NHS South East Commissioning Support Unit"),
        "NHS SOUTH EAST COMMISSIONING SUPPORT UNIT",
    ),
    _Region(
        ("South Central West (SCW) DSCRO", "South Central and West DSCRO", "SCW DSCRO"),
        ("South Central West (SCW) Data Services for Commissioners Regional Office",),
        ("South Central and West CSU", "NHS South, Central and West Commissioning Support Unit"),
        "NHS SOUTH, CENTRAL AND WEST COMMISSIONING SUPPORT UNIT",
    ),
    _Region(
        ("North of England DSCRO", "North England DSCRO", "DSCRO North England"),
        (
            "North of England Data Services for Commissioners Regional Office (DSCRO)",
            "North England Data Services for Commissioners Regional Office (DSCRO)",
        ),
        ("North of England Commissioning Support Unit", "North England Commissioning Support Unit"),
        "NHS NORTH OF ENGLAND COMMISSIONING SUPPORT UNIT",
    ),
    _Region(
        ("Yorkshire DSCRO", "DSCRO Yorkshire"),
        ("Yorkshire Data Services for Commissioners Regional Office (DSCRO)",),
        ("North of England Commissioning Support Unit",),
        "NHS NORTH OF ENGLAND COMMISSIONING SUPPORT UNIT",
    ),
)
_PROCESSORS = (
    "MedeAnalytics International Limited",
    "Medeanalytics International Limited",
    "MedeAnalytics",
    "Optum",
    "Optum Health Solutions",
    "Greater Manchester Shared Services (GMSS)",
    "Advancing Quality Alliance (AQuA)",
    "Nottinghamshire Health Informatics Service (NHIS)",
    "PI Limited (PI Care and Health)",
    "Health Intelligence Ltd",
    "I5 Health Limited",
    "Attain Health Management Services Ltd",
    "CHKS Limited",
    "Capita Business Services",
    "Lightfoot Solutions UK Ltd",
    "eMBED Health Consortium",
    # not in the reviewed gazetteer: resolved by their words (DFG301)
    "Northwood Health Analytics Ltd",
    "Clearwater Population Insight Limited",
)
_HOSTS = ("Redcentric PLC", "Six Degrees Group", "Ark Data Centres Limited", "L2S2 Ltd", "Amazon Web Services")
_UNIVERSITIES = (
    "UNIVERSITY COLLEGE LONDON (UCL)",
    "UNIVERSITY OF OXFORD",
    "UNIVERSITY OF BIRMINGHAM",
    "IMPERIAL COLLEGE LONDON",
    "UNIVERSITY OF BRISTOL",
    "UNIVERSITY OF LEEDS",
    "UNIVERSITY OF MANCHESTER",
    "KING'S COLLEGE LONDON",
    "UNIVERSITY OF SHEFFIELD",
    "LONDON SCHOOL OF HYGIENE & TROPICAL MEDICINE",
    "UNIVERSITY OF YORK",
    "UNIVERSITY OF EXETER",
)
_COUNCILS = (
    "SUFFOLK COUNTY COUNCIL",
    "CAMBRIDGESHIRE COUNTY COUNCIL",
    "BRACKNELL FOREST BOROUGH COUNCIL",
    "NORTH YORKSHIRE COUNTY COUNCIL",
    "DUDLEY METROPOLITAN BOROUGH COUNCIL",
    "SOUTHAMPTON CITY COUNCIL",
    "THURROCK COUNCIL",
    "KENT COUNTY COUNCIL",
    "LEEDS CITY COUNCIL",
    "HAMPSHIRE COUNTY COUNCIL",
    "NORFOLK COUNTY COUNCIL",
    "DEVON COUNTY COUNCIL",
)
_COMPANIES = (
    "IMS HEALTH LTD",
    "METHODS ANALYTICS LTD",
    "DR. FOSTER LIMITED",
    "HARVEY WALSH LTD",
    "CHKS LIMITED",
    "HEALTH IQ LTD",
    "WILMINGTON HEALTHCARE",
    "MEDITRENDS LTD",
    "CRAB CLINICAL INFORMATICS",
    "NORTHGATE PUBLIC SERVICES (UK) LIMITED",
)
_TRUSTS = (
    "KINGSTON HOSPITAL NHS FOUNDATION TRUST",
    "UNIVERSITY HOSPITALS BIRMINGHAM NHS FOUNDATION TRUST",
    "MAIDSTONE AND TUNBRIDGE WELLS NHS TRUST",
    "LEEDS TEACHING HOSPITALS NHS TRUST",
    "ROYAL COLLEGE OF OBSTETRICIANS AND GYNAECOLOGISTS (RCOG)",
    "PUBLIC HEALTH ENGLAND (PHE)",
    "CARE QUALITY COMMISSION (CQC)",
    "MEDICINES AND HEALTHCARE PRODUCTS REGULATORY AGENCY (MHRA)",
)

# ---------------------------------------------------------------------------------------
# Dataset names, in their spellings (datasets.yaml families, the seed page, the 2017 `us` column)

_SUS = (
    "SUS for Commissioners",
    "SUS (Accident & Emergency, Admitted Patient Care & Outpatient)",
    "Secondary Uses Service (SUS)",
    "Standard Monthly Extract : SUS PbR APC Spells",
    "Bespoke Extract : SUS PbR A&E",
    "SUS+ data",
)
_LPF = (
    "Acute-Local Provider Flows",
    "Ambulance-Local Provider Flows",
    "Community-Local Provider Flows",
    "Demand for Service-Local Provider Flows",
    "Diagnostic Services-Local Provider Flows",
    "Emergency Care-Local Provider Flows",
    "Mental Health-Local Provider Flows",
    "Local Provider Data - Acute",
    "Local Provider Data - Mental Health",
    "Local Provider Data - Emergency Care",
    "Local Provider Data - Other not elsewhere classified",
    "Other Not Elsewhere Classified (NEC)-Local Provider Flows",
    "Population Data-Local Provider Flows",
    "Local Provider Data - Public Health & Screening services",
)
_MH = (
    "Mental Health Services Data Set",
    "Mental Health Minimum Data Set",
    "Mental Health and Learning Disabilities Data Set",
    "Improving Access to Psychological Therapies Data Set",
    "Children and Young People Health",
    "Children and Young People's Health Services Data Set",
    "Maternity Services Data Set",
    "Maternity Services Dataset",
    "Diagnostic Imaging Dataset",
    "Diagnostic Imaging Data Set",
)
_HES = (
    "Hospital Episode Statistics Admitted Patient Care",
    "Hospital Episode Statistics Outpatients",
    "Hospital Episode Statistics Accident and Emergency",
    "Hospital Episode Statistics Critical Care",
    "HES Data Interrogation System",
    "HES Outpatients",
)
_RESEARCH = (
    "MRIS - Cause of Death Report",
    "MRIS - Cohort Event Notification Report",
    "Office for National Statistics Mortality Data (linkable to HES)",
    "ONS Births",
    "Primary Care Mortality Database",
    "Civil Registration - Deaths",
    "Bridge file: Hospital Episode Statistics to Diagnostic Imaging Dataset",
    "Patient Reported Outcome Measures (Linkable to HES)",
    "Cancer Registry",
    "National Child Measurement Programme (NCMP)",
)
_CATEGORY = {
    "identifiable": "Identifiable",
    "pseudonymised": "Anonymised - ICO code compliant",
    "aggregate": "Aggregated - anonymised",
}

# ---------------------------------------------------------------------------------------
# Statement fragments (verbatim structures of real statements; {ccg}, {dscro}, {csu}, {p} filled in)

_BOILERPLATE = (
    "Data must only be used as stipulated within this Data Sharing Agreement.",
    "Data Processors must only act upon specific instructions from the Data Controller.",
    "Data can only be stored at the addresses listed under storage addresses.",
    "The Data Controller and any Data Processor will only have access to records of patients of residence "
    "and registration within the CCG. Access is limited to those substantive employees with authorised user "
    "accounts used for identification and authentication.",
    "Patient level data will not be shared outside of the CCG unless it is for the purpose of Direct Care, "
    "where it may be shared only with those health professionals who have a legitimate relationship with the "
    "patient and a legitimate reason to access the data.",
    "All access to data is managed under Roles-Based Access Controls",
    "No patient level data will be linked other than as specifically detailed within this agreement. Data will "
    "only be shared with those parties listed and will only be used for the purposes laid out in the "
    "application/agreement. The data to be released from NHS Digital will not be national data, but only that "
    "data relating to the specific locality of interest of the applicant.",
    "{dscro} (part of NHS Digital) will apply Type 2 objections before any identifiable data leaves the DSCRO.",
    "NHS Digital reminds all organisations party to this agreement of the need to comply with the Data Sharing "
    "Framework Contract requirements, including those regarding the use (and purposes of that use) by "
    "\u201cPersonnel\u201d (as defined within the Data Sharing Framework Contract ie: employees, agents and "
    "contractors of the Data Recipient who may have access to that data)",
)
_SEGREGATION = (
    "Segregation",
    "Where the Data Processor and/or the Data Controller hold both identifiable and pseudonymised data, the data "
    "will be held separately so data cannot be linked.",
    "All access to data is auditable by NHS Digital.",
)
_IV_CHECKS = (
    "a. Checking the individual is registered to the Clinical Commissioning Group (CCG) by using the derived "
    "commissioner field in SUS and associated with an invoice from the national SUS data flow to validate the "
    "corresponding record in the backing data flow",
    "b. Once the backing information is received, this will be checked against national NHS and local "
    "commissioning policies as well as being checked against system access and reports provided by NHS Digital "
    "to confirm the payments are:",
    "i. In line with Payment by Results tariffs",
    "ii. In relation to a patient registered with the CCG GP or resident within the CCG area.",
    "iii. The health care provided should be paid by the CCG in line with CCG guidance.",
)
_LINKED = (
    "Social Care data",
    "GP Practice data",
    "Community data",
    "Care Home data",
    "Planning data",
    "Continuing Healthcare (CHC) data",
    "CAMHS data",
    "Hospice data",
)
_OBJECTIVES = {
    "iv": (
        "Invoice Validation",
        "Invoice validation is part of a process by which providers of care or services get paid for the work they do.",
        "Invoices are submitted to the Clinical Commissioning Group (CCG) so they are able to ensure that the "
        "activity claimed for each patient is their responsibility. This is done by processing and analysing "
        "Secondary User Services (SUS+) data, which is received into a secure Controlled Environment for "
        "Finance (CEfF). The SUS+ data is identifiable at the level of NHS number. The NHS number is only used "
        "to confirm the accuracy of backing-data sets and will not be used further.",
        "The legal basis for this to occur is under Section 251 of NHS Act 2006.",
    ),
    "rs": (
        "Risk Stratification",
        "To use SUS data identifiable at the level of NHS number for the purpose of risk stratification. Risk "
        "stratification is a tool for predominantly identifying and managing patients who are at high risk of "
        "emergency hospital admission, and it is used by GPs to support the care of their patients.",
        "Risk stratification tools use a variety of algorithms to identify patients who are at risk of "
        "admission, and are used within a practice to target interventions and improve outcomes for those "
        "patients with whom the GP has a legitimate relationship.",
    ),
    "comm": (
        "Commissioning",
        "To use pseudonymised data to provide intelligence to support commissioning of health services. The "
        "pseudonymised data is required to ensure that analysis of health care provision can be completed to "
        "support the needs of the health profile of the population within the CCG area based on the full "
        "analysis of multiple pseudonymised datasets.",
        "The CCGs commission services from a range of providers covering a wide array of services. Each of the "
        "data flow categories requested supports the commissioned activity of one or more providers.",
    ),
}
_OBJECTIVES["research"] = (
    "The data provided by the Pseudonymised HES Extract Service will be used in fulfillment of the applicant's "
    "function, specifically to support and improve:",
    "1. the local responsiveness, targeting and value for money of commissioned public health services;",
    "2. the local specificity and relevance of the Joint Strategic Needs Assessments and Health and Wellbeing "
    "Strategies produced in collaboration with NHS and voluntary sector partners;",
    "3. the capability of the local public health intelligence service to undertake comparative longitudinal "
    "analyses of patterns of and variations in the incidence and prevalence of disease and risks to public health, "
    "demand for and access to treatment and preventative care services, and variations in health outcomes between "
    "groups in the population.",
    "The study cohort will be followed up through linkage to hospital admissions and mortality records, to "
    "estimate the long-term outcomes of treatment and the costs of care from the perspective of the NHS.",
)
_TITLES = (
    "Pseudonymised HES Extract Service",
    "HES Data Interrogation System access",
    "Cohort study follow-up",
    "Public health intelligence",
    "Benchmarking of hospital activity",
    "Cost-effectiveness analysis",
)
_BENEFITS = (
    "Supporting Quality Innovation Productivity and Prevention (QIPP) to review demand management, integrated "
    "care and pathways.",
    "Supporting Joint Strategic Needs Assessment (JSNA) for specific disease types.",
    "Health economic modelling using analysis on provider performance against 18 weeks wait targets.",
    "Commissioning cycle support for grouping and re-costing previous activity.",
    "Feedback to NHS service providers on data quality at an aggregate and individual record level \u2013 only on "
    "data initially provided by the service providers.",
    "Improved planning by better understanding patient flows through the healthcare system, thus allowing "
    "commissioners to design appropriate pathways to improve patient flow and allowing commissioners to identify "
    "priorities and identify plans to address these.",
    "Improved quality of services through reduced emergency readmissions, especially avoidable emergency "
    "admissions. This is achieved through mapping of frequent users of emergency services and early intervention "
    "of appropriate care.",
    "Improved access to services by identifying which services may be in demand but have poor access, and from "
    "this identify areas where improvement is required.",
    "Potentially reduced premature mortality by more targeted intervention in primary care, which supports the "
    "commissioner to meets its requirement to reduce premature mortality in line with the CCG Outcome Framework.",
    "Better understanding of the health of and the variations in health outcomes within the population to help "
    "understand local population characteristics.",
    "Better understanding of contract requirements, contract execution, and required services for management of "
    "existing contracts, and to assist with identification and planning of future contracts",
    "Insights into patient outcomes, and identification of the possible efficacy of outcomes-based contracting "
    "opportunities.",
    "Financial validation of activity",
    "CCG Budget control",
    "Commissioning and performance management",
    "Meeting commissioning objectives without compromising patient confidentiality",
    "The avoidance of misappropriation of public funds to ensure the ongoing delivery of patient care",
)
_OUTPUTS = (
    "Summary by provider view - plan & actuals year to date (YTD).",
    "Summary by Patient Outcome Data (POD) view - plan & actuals YTD.",
    "Planned care by provider view - activity & finance plan & actuals YTD.",
    "Statutory returns - monthly activity return.",
    "Delayed discharges.",
    "Quality & performance referral to treatment reporting.",
    "Readmissions analysis.",
    "Production of aggregate reports for CCG Business Intelligence.",
    "Production of project / programme level dashboards.",
    "Monitoring of acute / community / mental health quality matrix.",
    "Clinical coding reviews / audits.",
    "Budget reporting down to individual GP Practice level.",
    "GP Practice level dashboard reports include high flyers.",
    "Comparators of CCG performance with similar CCGs as set out by a specific range of care quality and "
    "performance measures detailed activity and cost reports",
    "Data Quality and Validation measures allowing data quality checks on the submitted data",
    "Patient Stratification, such as patients at highest risk of admission, frail and elderly, patients with most "
    "emergency activity",
    "Addressing poor data quality issues",
    "Validation of invoices for non-contracted events",
)
_COMM_OBJECTIVES = (
    "The following pseudonymised datasets are required to provide intelligence to support commissioning of health "
    "services:",
    "o Secondary Uses Service (SUS)",
    "o Local Provider Flows",
    "o Acute",
    "o Ambulance",
    "o Community",
    "o Demand for Service",
    "o Diagnostic Service",
    "o Emergency Care",
    "o Experience, Quality and Outcomes",
    "o Mental Health",
    "o Other Not Elsewhere Classified",
    "o Population Data",
    "o Primary Care Services",
    "o Public Health Screening",
    "o Mental Health Minimum Data Set (MHMDS)",
    "o Mental Health Learning Disability Data Set (MHLDDS)",
    "o Mental Health Services Data Set (MHSDS)",
    "o Maternity Services Data Set (MSDS)",
    "o Improving Access to Psychological Therapy (IAPT)",
    "o Child and Young People Health Service (CYPHS)",
    "o Diagnostic Imaging Data Set (DIDS)",
    "The pseudonymised data is required to for the following purposes:",
    "\u00a7 Population health management:",
    "\u2022 Understanding the interdependency of care services",
    "\u2022 Targeting care more effectively",
    "\u2022 Using value as the redesign principle",
    "\u00a7 Data Quality and Validation \u2013 allowing data quality checks on the submitted data",
    "\u00a7 Thoroughly investigating the needs of the population, to ensure the right services are available for "
    "individuals when and where they need them",
    "\u00a7 Understanding cohorts of residents who are at risk of becoming users of some of the more expensive "
    "services, to better understand and manage those needs",
    "\u00a7 Modelling activity across all data sets to understand how services interact with each other, and to "
    "understand how changes in one service may affect flows through another",
    "\u00a7 Patient stratification and predictive modelling - to identify specific patients at risk of requiring "
    "hospital admission and other avoidable factors such as risk of falls, computed using algorithms executed "
    "against linked de-identified data, and identification of future service delivery models",
)
_BENEFIT_PARAGRAPHS = (
    "All of the above lead to improved patient experience through more effective commissioning of services.",
    "Showing the number of benchmarked A&E admissions (and A&E attendances in the next analysis) from specific "
    "local geographical locations in a heat map, will enable the CCG and providers to direct our finite health and "
    "social care (public health) resources more efficiently and effectively.",
    "Users can better understand variation in their system, and make comparisons between populations and "
    "organisations in a fair and meaningful way with a greater understanding of what normal is. This will support "
    "routine opportunity analyses that they carry out in order to best target resources and best understand which "
    "activities have had a genuine benefit, and helped reduce costs to the system.",
    "In addition, the platform provides access to comprehensive supporting information that commissioning "
    "organisations such as Clinical Commissioning Groups use to ensure that the services they commission deliver "
    "the best outcomes for their patients, cater for and meet the needs of the population they are responsible "
    "for, monitor condition prevalence within the population and identify health inequalities.",
    "Direct measurement of the benefits associated with an enabling self-service system such as this is "
    "challenging, however, proxies can be provided through use metrics (number of individual users and frequency "
    "of use) as well as examples of decisions made by customers in the management and delivery of their services "
    "that have been supported by reports / information from the tool",
)
_SEGREGATION_MORE = (
    "Data is held within the data processor's system, and is segregated according to contract.",
    "Only operational staff (currently 4 individuals operating under full time employment contracts) have access "
    "to data prior to loading into the main system.",
    "All staff undertake compulsory IG Toolkit training every year, and understand their responsibilities with "
    "regard to receiving, storage, processing and handling of data; contractual sanctions that can result in "
    "disciplinary actions including dismissal for contraventions are included in employee contracts.",
    "Specific processes are in place to setup new system users, all of which require Caldicott Guardian or SIRO "
    "sign-off in order to obtain user identities and passwords. Identities and passwords are restricted to "
    "specific subsets of data according to their Roles, so that a CCG user can only see data for their own CCG, "
    "and a GP user can only see data for their own GP Practice.",
    "Access to data is provided through the front end interfaces, for on-line access; while it is reasonable and "
    "allowable for users to export the results displayed in reports, charts and dashboards, bulk export of "
    "underlying linked data sets is not possible.",
    "Each Re-identification requires a different key, so inappropriate retention of keys (which is neither "
    "allowed, nor easy to accomplish by design) will not result in compromise of data",
    "All data providers for a particular region (according to contract) are issued with encryption keys that "
    "ensure data for their region can only be linked to data from other providers for the same region.",
)
_CONDITIONS = (
    "Conditions of supply and controls on use",
    "In addition to those outlined elsewhere within this application, the applicant will:",
    "1. only use the HES data for the purposes as outlined in this agreement;",
    "2. comply with the requirements of the NHS Digital Code of Practice on Confidential Information, the Caldicott "
    "Principles and other relevant statutory requirements and guidance to protect confidentiality;",
    "3. not attempt any record-level linkage of HES data with other data sets held by the applicant, or attempt to "
    "identify any individuals from the HES data;",
    "4. not transfer and disseminate record-level HES data to anyone outside the applicant organisation;",
    "5. not publish the results of any analyses of the HES data unless safely de-identified in line with the "
    "anonymisation standard; and",
    "6. comply with the guidelines set out in the HES Analysis Guide;",
    "7. ensure role-based control access is in place to manage access to the HES data.",
    "Data retention",
    "A maximum of ten years data will be retained at any point, such that as each new data year is received, the "
    "oldest year will be deleted eg. the 2006/07 data year will be deleted once the final complete 2016/17 data "
    "year has been received. The applicant will securely destroy the year's data within six weeks of receiving the "
    "latest annual dataset and provide a data destruction certificate to NHS Digital.",
    "The historic data will be used in fulfilment of the applicant's function, and specifically to:",
    "a) recognise and monitor trends in disease incidence and prevalence and other risks to public health;",
    "b) recognise and monitor trends in treatment patterns, particularly hospital readmissions, and outcomes;",
    "c) recognise and monitor trends in access to treatment and care between demographic, geographic, ethnic and "
    "socio-economic groups in the population; and",
    "d) recognise and monitor trends in the association between the wider social, economic and environmental "
    "determinants of health and health outcomes for the purpose of informing the planning, commissioning and "
    "provision of effective health and care services at a local level.",
)
_RESEARCH_TEXT = (
    "The applicant will use the data to produce a range of quantitative measures (counts, crude and standardised "
    "rates and ratios) that will form the basis for a range of statistical analyses of the fields contained in the "
    "supplied data.",
    "Analyses of disease incidence, prevalence and trends: the age, sex, LSOA, ethnic group, Indices of Deprivation "
    "and diagnosis fields typically will be used to produce directly standardised admission rates, and for "
    "appropriate benchmark and comparator areas. Confidence intervals will then be produced for these rates.",
    "All outputs will be restricted to aggregate data with small numbers suppressed in line with the HES Analysis "
    "Guide.",
    "Only individuals substantively employed by the applicant will have access to the data.",
    "The data will not be used to link at record level to other datasets (other than where already provided in "
    "linked or bridging form by NHS Digital).",
)


# ---------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What :func:`write_register` wrote.

    ``planted`` lists the (recipient, family) pairs given both an identifiable and a
    pseudonymised copy of one dataset in overlapping windows: the convergences the
    pipeline should find at least.  ``defects`` counts each planted page defect.
    """

    entries: int
    pages: int
    files: int
    page_bytes: int
    bytes: int
    workbook_statements: int
    workbook_releases: int
    defects: dict[str, int]
    planted: tuple[tuple[str, str], ...]
    paths: tuple[str, ...]


@dataclass(slots=True)
class _Entry:
    """One synthetic entry before it is written in a page or workbook layout."""

    title: str
    reference: str
    organisation: str
    opt_outs: str
    legal_basis: str
    window: tuple[str, str]
    dsa: tuple[str, str] | None
    datasets: list[str]
    category: str
    controllers: str
    sections: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Org:
    """A page recipient: its page name, its kind and (for CCGs) its region and ICB."""

    name: str
    kind: str
    place: str = ""
    region: _Region | None = None
    icb: str = ""


class _Writer:
    """Draws every choice from one ``random.Random`` in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.refs: set[str] = set()
        self.defects = {
            "reversed_window": 0,
            "missing_datasets_label": 0,
            "missing_objectives_label": 0,
            "trailing_space_reference": 0,
            "truncated_entry": 0,
        }
        self.planted: list[tuple[str, str]] = []

    # -- small draws
    def pick(self, seq: tuple[str, ...] | list[str]) -> str:
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def reference(self, *, version: bool = False) -> str:
        while True:
            n = self.rng.randrange(10000, 999999)
            tail = "".join(self.rng.choice(s) for s in ("ABCDEFGHJKLMNPQRSTVWXYZ", "0123456789") * 2)
            tail += self.rng.choice("ABCDEFGHJKLMNPQRSTVWXYZ")
            core = f"{n:05d}-{tail}"
            if core not in self.refs:
                self.refs.add(core)
                break
        prefix = "DARS-NIC-" if version or self.chance(0.8) else "NIC-"
        return f"{prefix}{core}" + (f"-v{self.rng.randrange(0, 6)}.{self.rng.randrange(1, 14)}" if version else "")

    def window(self) -> tuple[str, str]:
        y, m = self.rng.randrange(2014, 2021), self.rng.randrange(1, 13)
        span = self.rng.randrange(3, 36)
        end = y * 12 + m - 1 + span
        return f"{y}.{m:02d}", f"{end // 12}.{end % 12 + 1:02d}"

    def numbering(self) -> tuple[str, str]:
        """Step and sub-step style of one block: "1." / "1)" / none."""
        return self.pick((("{n}.", "{a}."), ("{n})", "{a})"), ("{n}.", "{a}."), ("", "")))


def _steps(w: _Writer, lines: list[str]) -> list[str]:
    """Number a block's steps in one of the real styles (sometimes with a duplicated number)."""
    fmt, _ = w.numbering()
    out, n = [], 0
    for line in lines:
        if line.startswith(("a.", "b.", "i.", "ii.", "iii.", "o ")):
            out.append(line)
            continue
        n += 1
        if fmt and n == 2 and w.chance(0.03):
            n = 1  # "1." twice, as in PS row 746
        out.append(f"{fmt.format(n=n)} {line}" if fmt else line)
    return out


# ---------------------------------------------------------------------------------------
# Processing blocks


@dataclass(slots=True)
class _Ctx:
    """Names one entry's statement refers to."""

    ccg: str
    region: _Region
    processor: str
    other_ccg: str

    def dscro(self, w: _Writer) -> str:
        return w.pick(self.region.dscro)

    def csu(self, w: _Writer) -> str:
        return w.pick(self.region.csu)


def _invoice_validation(w: _Writer, c: _Ctx, where: str) -> list[str]:
    d = c.dscro(w)
    first = w.pick(
        (
            f"Identifiable SUS+ Data is obtained from the SUS+ Repository to {d}.",
            f"SUS Data is sent from the SUS Repository to {d}.",
            f"{w.pick(c.region.dscro_long)} receives a flow of SUS identifiable data for the CCG from the "
            "SUS Repository.",
        )
    )
    if where == "ccg":
        push = (
            f"{d} pushes a one-way data flow of SUS+ data into the Controlled Environment for Finance (CEfF) "
            "located in the CCG."
        )
    elif where == "landing":
        csu = c.csu(w)
        push = (
            f"{d} pushes a one-way data flow of identifiable SUS data into the Controlled Environment for "
            f"Finance (CEfF) located in the CCG via {csu} as a landing point only due to {d} Regional "
            "Processing Centre restrictions."
        )
    else:
        push = (
            f"{d} pushes a one-way data flow of SUS data into the Controlled Environment for Finance (CEfF) "
            f"in the {c.csu(w)}."
        )
    who = "The CEfF conduct" if where != "csu" else "The CSU carry out"
    tail = (
        "The CCG are notified by the CEfF that the invoice has been validated and can be paid. Any "
        "discrepancies or non-validated invoices are investigated and resolved"
    )
    if where == "csu":
        tail += (
            " between the CSU CEfF team and the provider meaning that no identifiable data needs to be sent "
            "to the CCG. The CCG only receives notification to pay and management reporting detailing the "
            "total quantum of invoices received, pending, processed etc."
        )
    lines = [
        "Invoice Validation",
        *_steps(
            w,
            [
                first,
                push,
                f"{who} the following processing activities for invoice validation purposes:",
                *_IV_CHECKS,
                tail,
            ],
        ),
    ]
    if w.chance(0.3):
        lines.append(
            "Staff within the CEfF may refer to other resources and data in other computer systems (such "
            f"as the {w.pick(_PROCESSORS[:3])} service) while performing invoice validation, but no data "
            "flows between the systems, or outside the CEfF."
        )
    return lines


def _risk_stratification(w: _Writer, c: _Ctx) -> list[str]:
    d, p = c.dscro(w), c.processor
    steps = [
        f"SUS Data is sent from the SUS Repository to {d}.",
        "SUS data identifiable at the level of NHS number regarding hospital admissions, A&E attendances and "
        f"outpatient attendances is delivered securely from {d} to the data processor.",
        f"Data quality management and standardisation of data is completed by {d} and the data identifiable at "
        f"the level of NHS number is transferred securely to {p} who hold the SUS data within the secure Data "
        "Centre on N3.",
        f"Identifiable GP Data is securely sent from the GP system to {p}",
        "SUS data is linked to GP data in the risk stratification tool by the data processor.",
        "As part of the risk stratification processing activity, GPs have access to the risk stratification tool "
        "within the data processor, which highlights patients with whom the GP has a legitimate relationship and "
        "have been classed as at risk. The only identifier available to GPs is the NHS numbers of their own "
        "patients.",
        f"{p} who hosts the risk stratification system that holds SUS data is limited to those administrative "
        "staff with authorised user accounts used for identification and authentication.",
        f"Once {p} has completed the processing, the CCG can access the online system via a secure N3 connection "
        "to access the data pseudonymised at patient level and aggregated reports.",
    ]
    lines = ["Risk Stratification", *_steps(w, steps)]
    if w.chance(0.5):
        lines += [
            "GPs are able to re-identify information only for their own patients for the purpose of direct care.",
            "Re-identification (managed under RBAC) requires an additional step to access re-identification "
            "keys held by an independent third party key management service (operated by BMS) that has no "
            "access to the data.",
        ]
    if w.chance(0.3):
        lines.append("No risk stratification data will be shared with any other organisation.")
    return lines


def _commissioning(w: _Writer, c: _Ctx, dp: int | None) -> list[str]:
    d, csu = c.dscro(w), c.csu(w)
    # not "Commissioning – Pseudonymised – SUS": the page parser takes that line for an entry heading
    head = w.pick(
        (
            "Commissioning (Pseudonymised) \u2013 SUS and Local Flows",
            "Pseudonymised \u2013 SUS and Local Flows",
            "Commissioning \u2013 Pseudonymised \u2013 SUS and Local Flows",
        )
    )
    lines = [head]
    if dp is not None:
        lines.append(f"Data Processor {dp} \u2013 {csu}:")
    pass_on = w.pick(
        (
            f"Data quality management and pseudonymisation of data is completed by {d} and the pseudonymised data is "
            f"then passed securely to {csu} for the addition of derived fields, linkage of data sets and analysis.",
            f"The pseudonymised data is securely transferred from {d} to {csu} for the addition of derived fields, "
            "linkage of data sets and analysis.",
        )
    )
    steps = [
        f"{w.pick(c.region.dscro_long)} obtains a flow of SUS identifiable data for the CCG from the SUS "
        f"Repository. {d} also obtains identifiable local provider data for the CCG directly from Providers.",
        pass_on + " Allowed linkage is between SUS data sets and local flows.",
    ]
    if w.chance(0.35):
        steps.append(f"{csu} then passes the pseudonymised data securely to {c.processor}.")
        steps.append(
            f"{c.processor} then pass the processed, pseudonymised and linked data to the CCG who analyse "
            "the data to see patient journeys for pathways or service design, re-design and "
            "de-commissioning."
        )
    else:
        steps.append(
            f"{csu} then pass the processed, pseudonymised and linked data to the CCG who analyse the data "
            "to see patient journeys for pathways or service design, re-design and de-commissioning."
        )
    if w.chance(0.25):
        steps.append(
            f"The CCG then pass the processed, pseudonymised data to {c.other_ccg} for joint commissioning "
            "of shared services. Only Pseudonymised data will be shared between the CCGs."
        )
    steps.append(
        "Patient level data will not be shared outside of the CCG and will only be shared within the CCG "
        "on a need to know basis, as per the purposes stipulated within the Data Sharing Agreement. "
        "External aggregated reports only with small number suppression can be shared."
    )
    return lines + _steps(w, steps)


def _mental_health(w: _Writer, c: _Ctx) -> list[str]:
    d, csu = c.dscro(w), c.csu(w)
    steps = [
        f"{w.pick(c.region.dscro_long)} receives a flow of data identifiable at the level of NHS number for Mental "
        f"Health (MHSDS, MHMDS, MHLDDS) and Maternity (MSDS). {d} also receive a flow of pseudonymised patient level "
        "data for each CCG for Improving Access to Psychological Therapies (IAPT), Child and Young People\u2019s "
        "Health (CYPHS) and Diagnostic Imaging (DIDS) for commissioning purposes",
        f"Data quality management and pseudonymisation of data is completed by {d} and the pseudonymised data is "
        f"then passed securely to {csu} for the addition of derived fields, linkage of data sets and analysis.",
        f"{csu} then pass the processed, pseudonymised and linked data to the CCG who analyse the data to see "
        "patient journeys for pathways or service design, re-design and de-commissioning.",
        "The CCG completes aggregation of required data for CCG management use \u2013 disclosing any outputs at the "
        "appropriate level.",
        "Patient level data will not be shared outside of the CCG. External aggregated reports only.",
    ]
    return ["Pseudonymised \u2013 Mental Health, MSDS, IAPT, CYPHS and DIDS", *_steps(w, steps)]


def _mede_linkage(w: _Writer, c: _Ctx) -> list[str]:
    csu = c.csu(w)
    p = w.pick(("Medeanalytics International Limited", "MedeAnalytics International Limited"))
    steps = [
        "Pseudonymised SUS, Local Provider data, Mental Health data (MHSDS, MHMDS, MHLDDS) and Maternity data "
        f"(MSDS) only is securely transferred from the DSCRO to {csu} for landing only.",
        f"{csu} then pass the processed, Pseudonymised data provided under DSCRO contracts to the CCGs\u2019 data "
        f"processor, {p} where it is received, stored and processed",
        f"On arrival at {p}, one of the operational staff then transfers the data from the secure landing zone to "
        "the ETL process, where it is linked.",
        "Allowed linkage is between the data sets contained within point 1 and the following data that is "
        "pseudonymised at source using the Medeanalytics pseudonymisation tool:",
        *(f"o {x}" for x in _LINKED[: w.rng.randrange(3, len(_LINKED) + 1)]),
        f"CCG users use online features of the {p} system to produce reports, charts and dashboards to analyse "
        "the data for the purposes listed.",
    ]
    return [
        "Commissioning",
        *_steps(w, steps),
        "Re-identification (managed under RBAC) requires an additional step to access re-identification keys "
        "held by an independent third party key management service (operated by BMS) that has no access to the "
        "data.",
        "Only GP Practice users are able to re-identify patients and only when they have a legitimate reason "
        "and a legal right to re-identify.",
    ]


def _release_to(w: _Writer, org: str, kind: str) -> list[str]:
    """Processing of a non-DSCRO agreement: a one-hop release, hosting, negated onward flows."""
    name = org.title().replace("Nhs", "NHS").replace("Ltd", "Ltd").replace("(Ucl)", "(UCL)")
    lines = [
        f"NHS Digital will securely transfer the data to {name} using the Secure Electronic File Transfer "
        "(SEFT) service."
    ]
    if kind == "council":
        lines.append(
            "Data will not be transferred or otherwise made available to any third party, including "
            "Commissioning Support Units, Data Services for Commissioners Regional Offices, any organisation "
            "for the purposes of health research, or any Business Intelligence company."
        )
    elif kind == "company":
        host = w.pick(_HOSTS)
        lines.append(
            f"The data is then imported into the {name} SQL data warehouse that is hosted as discrete "
            f"physical servers by {host}."
        )
        lines.append(f"{host} has no access to the data and will not be shared the data.")
    elif kind == "university" and w.chance(0.5):
        lines.append(
            f"{name} will then securely transfer a study ID to SAIL, and SAIL will link these data to the "
            "HES extract from NHS Digital."
        )
    lines += w.rng.sample(_RESEARCH_TEXT, 4)
    return lines + list(_CONDITIONS[: w.rng.randrange(9, len(_CONDITIONS) + 1)])


# ---------------------------------------------------------------------------------------
# Entries


def _sections(w: _Writer, purposes: list[str], lines: list[str], dscro: str = "") -> dict[str, list[str]]:
    """Objectives, Expected Benefits, Outputs and Processing of one entry."""
    objectives, benefits, outputs = [], [], []
    for p in purposes:
        objectives += list(_OBJECTIVES[p])
        if p == "comm":
            objectives += _COMM_OBJECTIVES[: w.rng.randrange(10, len(_COMM_OBJECTIVES) + 1)]
        head = "Public health analysis" if p == "research" else _OBJECTIVES[p][0]
        benefits.append(head)
        benefits += [f"{i}. {b}" for i, b in enumerate(w.rng.sample(_BENEFITS, w.rng.randrange(11, 18)), 1)]
        benefits += _BENEFIT_PARAGRAPHS[: w.rng.randrange(1, len(_BENEFIT_PARAGRAPHS) + 1)]
        outputs.append(head)
        outputs += [f"{i}. {o}" for i, o in enumerate(w.rng.sample(_OUTPUTS, w.rng.randrange(11, 18)), 1)]
    boiler = [
        b.format(dscro=dscro)
        for b in _BOILERPLATE[: w.rng.randrange(5, len(_BOILERPLATE) + 1)]
        if dscro or "{dscro}" not in b
    ]
    yielded = (
        ["N/A"]
        if w.chance(0.3)
        else [*w.rng.sample(_BENEFIT_PARAGRAPHS, 3), *w.rng.sample(_BENEFITS, 6), *w.rng.sample(_OUTPUTS, 6)]
    )
    return {
        "Objectives": objectives,
        "Yielded Benefits": yielded,
        "Expected Benefits": benefits,
        "Outputs": outputs,
        "Processing": boiler
        + (["Processing activities:", *boiler] if w.chance(0.5) else [])
        + list(_SEGREGATION)
        + lines
        + list(_SEGREGATION_MORE[: w.rng.randrange(2, len(_SEGREGATION_MORE) + 1)]),
    }


def _ccg_entry(w: _Writer, org: _Org, kind: str, window: tuple[str, str], other: str) -> _Entry:
    c = _Ctx(org.name, org.region or _REGIONS[0], w.pick(_PROCESSORS), other)
    if kind.startswith("iv"):
        lines, purposes = _invoice_validation(w, c, kind[3:]), ["iv"]
        datasets, category = [w.pick(_SUS[:2])], "identifiable"
        opt = "Yes - patient objections upheld (Excuses: Section 251, Section 251 NHS Act 2006)"
        basis = (
            "Section 251 approval is in place for the flow of identifiable data, National Health Service Act "
            "2006 - s251 - 'Control of patient information'."
        )
    else:
        lines, purposes = [], []
        if kind in ("rs", "all"):
            lines, purposes = _risk_stratification(w, c), ["rs"]
        if kind in ("comm", "all", "mede"):
            lines += _commissioning(w, c, 1 if w.chance(0.3) else None) if kind != "mede" else _mede_linkage(w, c)
            lines += _mental_health(w, c) if w.chance(0.85) else []
            purposes.append("comm")
        datasets = [w.pick(_SUS), *w.rng.sample(_LPF, w.rng.randrange(2, 8)), *w.rng.sample(_MH, w.rng.randrange(0, 6))]
        category = "pseudonymised"
        opt = w.pick(("N (Excuses: Section 251)", "N", "No - data flow is not identifiable"))
        basis = "Health and Social Care Act 2012 \u2013 s261(1) and s261(2)(b)(ii)"
    ods = f"{w.rng.randrange(1, 99):02d}{w.pick('ABCDEFGHJKLMNPQRSTVWXY')}"
    controllers = f"{org.name.upper()}, NHS {org.icb} ICB - {ods}"
    return _Entry(
        "",
        w.reference(),
        org.name,
        opt,
        basis,
        window,
        None,
        datasets,
        category,
        controllers,
        _sections(w, purposes, lines, c.dscro(w)),
    )


def _other_entry(w: _Writer, org: _Org) -> _Entry:
    pool = {"university": _HES + _RESEARCH, "council": _HES[:3], "company": _HES, "trust": _HES + _RESEARCH}
    names = pool.get(org.kind, _HES)
    datasets = w.rng.sample(names, w.rng.randrange(1, min(5, len(names) + 1)))
    category = w.pick(("pseudonymised", "pseudonymised", "identifiable", "aggregate"))
    lines = _release_to(w, org.name, org.kind)
    sections = _sections(w, ["research"], lines)
    basis = w.pick(
        (
            "Health and Social Care Act 2012",
            "Section 251 approval is in place for the flow of identifiable data",
            "Informed Patient consent to permit the receipt, processing and release of data by the HSCIC",
        )
    )
    return _Entry(
        w.pick(_TITLES),
        w.reference(),
        org.name,
        w.pick(("N", "Y", "N, Y", "No - not applicable for this dataset")),
        basis,
        w.window(),
        None,
        datasets,
        category,
        org.name,
        sections,
    )


def _page_entries(w: _Writer, org: _Org, count: int, others: list[str]) -> list[_Entry]:
    """A recipient's entries; a CCG gets identifiable and pseudonymised SUS in overlapping windows."""
    if org.kind != "ccg":
        entries = [_other_entry(w, org) for _ in range(count)]
        for i, e in enumerate(entries, 1):
            e.title = e.title if w.chance(0.5) else f"Project {i}"
        return entries
    base = w.window()
    kinds = [w.pick(("iv-ccg", "iv-landing", "iv-csu")), w.pick(("comm", "all", "mede"))]
    kinds += [w.pick(("iv-csu", "rs", "comm", "all", "all", "mede", "iv-ccg")) for _ in range(count - 2)]
    entries = []
    for i, kind in enumerate(kinds[:count]):
        window = base if i < 2 else w.window()
        entries.append(_ccg_entry(w, org, kind, window, w.pick(others)))
    if count >= 2 and kinds[0] in ("iv-ccg", "iv-landing"):
        w.planted.append((org.name, "SUS"))
    for i, e in enumerate(entries):
        e.title = f"DSfC - {org.name} - IV" if i == 0 and kinds[0].startswith("iv") else f"Project {i + 1}"
        if i == 0 and w.chance(0.5):
            e.dsa = w.window()
    return entries


# ---------------------------------------------------------------------------------------
# Page layouts


def _newer(w: _Writer, e: _Entry, last: bool) -> list[str]:
    ref = e.reference + (" " if w.chance(0.02) and _count(w, "trailing_space_reference") else "")
    start, end = e.window
    if w.chance(0.02) and _count(w, "reversed_window"):
        start, end = end, start
    when = f"DSA runs {e.dsa[0].replace('.', '-')} \u2013 {e.dsa[1].replace('.', '-')} " if e.dsa else ""
    lines = [
        f"{e.title} \u2014 {ref}",
        f"Opt outs honoured: {e.opt_outs}",
        f"Legal basis: {e.legal_basis}",
        f"Purposes: {w.pick(('No (Clinical Commissioning Group (CCG), Sub ICB Location)', '()', 'No ()'))}",
        f"Sensitive: {w.pick(('Sensitive', 'Sensitive', 'Non Sensitive'))}",
        f"When:{when}{start} \u2014 {end}.",
        f"Access method: {w.pick(('Frequent adhoc flow', 'Frequent adhoc flow, One-Off', 'Ongoing'))}",
        f"Data-controller type: {e.controllers}",
        f"Sublicensing allowed: {w.pick(('No', ''))}",
        f"AGD/predecessor discussions: igard-minutes-{w.rng.randrange(1, 29)}-may-{start[:4]}.pdf",
    ]
    if last and w.chance(0.15) and _count(w, "truncated_entry"):
        return lines[: w.rng.randrange(3, 8)]
    no_datasets = w.chance(0.03) and _count(w, "missing_datasets_label")
    lines += [] if no_datasets else ["Datasets:"]
    lines += [f"  {i}. {d}" if no_datasets else f"- {d}" for i, d in enumerate(e.datasets, 1)]
    lines.append(f"Type of data: {_CATEGORY[e.category].split(' ')[0] if w.chance(0.5) else ''}".rstrip())
    for name, body in e.sections.items():
        if name == "Objectives" and (no_datasets or w.chance(0.02)) and _count(w, "missing_objectives_label"):
            lines += ["", *body]
            continue
        lines += [f"{name}:", *body]
    return lines


def _older(w: _Writer, e: _Entry, position: int) -> list[str]:
    start, end = e.window
    lines = [
        f"Project {position} \u2014 {e.reference}",
        f"Opt outs honoured: {e.opt_outs}",
        f"Sensitive: {w.pick(('Sensitive', 'Sensitive, and Non Sensitive'))}",
        f"When: {start.replace('.', '/')}{' (or before)' if w.chance(0.2) else ''} \u2014 {end.replace('.', '/')}.",
        f"Repeats: {w.pick(('Ongoing', 'One-Off'))}",
        f"Legal basis: {e.legal_basis}",
        f"Categories: {_CATEGORY[e.category]}",
        "Datasets:",
        "",
    ]
    lines += [f"  \u2022 {d}" for d in e.datasets]
    out = lines[:8]
    out = [x for line in out for x in (line, "")]  # the older pages put a blank line after each field
    out += [*lines[8:], ""]
    for name in ("Objectives", "Outputs", "Processing"):
        out += [f"{name}:", "", *e.sections[name], ""]
    return out


def _earliest(w: _Writer, e: _Entry) -> list[str]:
    title = e.organisation.title()
    lines = [f"{title} \u2014 {e.reference}"]
    if w.chance(0.7):
        lines.append(f"HSCIC Id: {e.reference.removeprefix('DARS-').rsplit('-', 1)[0]}")
    lines += [
        f"Basis: {e.legal_basis}",
        f"Format: {_CATEGORY[e.category]}",
        f"How often: {w.pick(('Monthly', 'One-off', 'Quarterly'))}",
    ]
    if w.chance(0.5):
        lines.append(f"Data: {'; '.join(e.datasets)}")
    else:
        lines += ["Data:", *(f"- {d}" for d in e.datasets)]
    objectives = e.sections["Objectives"]
    lines += [f"Objectives: {objectives[0]}", *objectives[1:], "Processing:", *e.sections["Processing"]]
    return lines


def _count(w: _Writer, defect: str) -> bool:
    w.defects[defect] += 1
    return True


def _page(w: _Writer, org: _Org, entries: list[_Entry], layout: str) -> str:
    lines = ["NHS Digital Data Release Register - reformatted", f"{org.name} projects"]
    if layout == "newer":
        lines.append(
            f"{w.rng.randrange(1, 900)} data files in total were disseminated unsafely (information about "
            'files used safely is missing for TRE/"system access" projects).'
        )
        if org.kind == "ccg" and w.chance(0.6):
            lines.append(
                f"\U0001f6a9 {org.name} was sent multiple files from the same dataset, in the same month, "
                "both with optouts respected and with optouts ignored."
            )
    for i, e in enumerate(entries, 1):
        if layout == "older":
            lines += _older(w, e, i)
        elif layout == "earliest":
            lines += _earliest(w, e)
        else:
            lines += _newer(w, e, last=i == len(entries))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Organisations and pages


def _organisations(w: _Writer, pages: int) -> list[_Org]:
    """Page recipients: mostly CCGs (every place once before any repeats), then the other kinds."""
    places = list(_PLACES)
    w.rng.shuffle(places)
    orgs = []
    kinds = (("university", _UNIVERSITIES), ("council", _COUNCILS), ("company", _COMPANIES), ("trust", _TRUSTS))
    used: set[str] = set()
    for i in range(pages):
        if i % 5 != 4:
            place = places[len([o for o in orgs if o.kind == "ccg"]) % len(places)]
            suffix = "" if place not in used else f" {len([o for o in orgs if o.place == place]) + 1}"
            used.add(place)
            orgs.append(_Org(f"NHS {place}{suffix} CCG", "ccg", place, w.pick(_REGIONS), w.pick(_ICBS)))
        else:
            kind, pool = kinds[(i // 5) % len(kinds)]
            name = pool[(i // 20) % len(pool)]
            n = len([o for o in orgs if o.name.startswith(name)])
            orgs.append(_Org(name if not n else f"{name} ({n + 1})", kind))
    return orgs


def _entry_counts(w: _Writer, total: int) -> list[int]:
    """How many entries each page has (3 to 40, about 20 on average), summing to ``total``."""
    counts: list[int] = []
    left = total
    while left > 0:
        n = min(left, w.rng.randrange(3, 41))
        counts.append(n)
        left -= n
    return counts


# ---------------------------------------------------------------------------------------
# Workbooks


_2017_RELEASE_HEADERS = (
    "RowID",
    "Organisation Name",
    "us",
    "Data provided to customer:\nIdentifiable, Anonymised - ICO code compliant, Aggregated -anonymised ",
    "Sensitive or Non-Sensitive",
    "Legal Basis for Provision of Data",
    "Purpose",
    "One off release or Ongoing releases",
    "NIC Number",
    "MR Number (where relevant)",
    "Patient Opt-Outs applied (Note: Anonymised - ICO code compliant data may show as 'Y' due to inclusion of "
    "'Date of Death')",
)
_2017_PURPOSE_HEADERS = (
    "Reference Number",
    "Organisation",
    "Objective for Processing",
    "Processing Activities",
    "Expected Output",
    "Expected Measurable Benefits",
)
_DUR_AGREEMENT_HEADERS = (
    "Reference Number",
    "Application Title",
    "Applicant Organisation Name",
    "Applicant Organisation Type",
    "Data Controller(s)",
    "Sole/Joint Data Controller",
    "DSA Start Date",
    "DSA End Date",
    "Does Sublicensing Apply",
    "For Commercial Purposes",
    "Objective for Processing",
    "Processing Activities",
    "Expected Output",
    "Expected Measurable Benefits",
    "Yielded Benefits",
)
_DUR_DATASET_HEADERS = (
    "Reference Number",
    "Dataset",
    "Type of Data",
    "Sensitive or Non-Sensitive",
    "Frequency",
    "Legal Basis for Provision of Data",
    "Common Law Duty of Confidentiality",
)
_DUR_RELEASE_HEADERS = ("Dataset", "Reference Number", "Patient Opt-Outs Applied", "Month Released")
_README = (
    "Data Release Register - Data released from NHS Digital - September to November 2017\n\nNOTE: The "
    "purpose statement is split into 4 sections. Use the NIC Number variable to link the 2 tabs. The "
    "Register indicates whether patient opt-outs were applied to the dataset before release.\n"
    "Y = Patient Opt-Outs were applied before the data were disseminated.\nN = Patient Opt-Outs were not "
    "applied.\n\nThis file is synthetic: written by dataflow_graph.synth for benchmarks."
)


def _cell_text(lines: list[str]) -> str:
    return "\n".join(lines)


def _workbook_2017(w: _Writer, entries: list[_Entry], path: Path) -> int:
    """The 2017 quarterly layout: README, Title sheet, DataReleases, PurposeStatements, NBO, amendments."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    readme = book.create_sheet("README")
    readme.append([_README.split("\n", 1)[0]])
    readme.append([None])
    readme.append([_README])
    book.create_sheet("Title sheet").append([None, "Data Release Register"])
    releases = book.create_sheet("DataReleases")
    releases.append(list(_2017_RELEASE_HEADERS))
    rows = 0
    for e in entries:
        ref = e.reference if "-v" in e.reference else f"{e.reference}-v{w.rng.randrange(0, 4)}.{w.rng.randrange(1, 9)}"
        e.reference = ref
        for name in e.datasets:
            for opt in ("Y", "N") if w.chance(0.15) else (w.pick(("Y", "N")),):
                rows += 1
                releases.append(
                    [
                        f"FILE{w.rng.randrange(10000, 99999) * 10 + rows % 10:07d}",
                        e.organisation.upper(),
                        name,
                        _2017_category(w, e.category),
                        w.pick(("Sensitive", "Non Sensitive")),
                        e.legal_basis.split(",")[0],
                        None,
                        w.pick(("Ongoing", "One-Off")),
                        ref,
                        None,
                        opt,
                    ]
                )
    statements = book.create_sheet("PurposeStatements")
    statements.append(list(_2017_PURPOSE_HEADERS))
    for e in sorted(entries, key=lambda x: x.reference):
        statements.append(
            [
                e.reference,
                e.organisation.upper(),
                _cell_text(e.sections["Objectives"]),
                _cell_text(e.sections["Processing"]),
                _cell_text(e.sections["Outputs"]),
                _cell_text(e.sections["Expected Benefits"]),
            ]
        )
    nbo = book.create_sheet("NBO")
    nbo.append([None, "Police", "Home Office", "Court Order", "Total"])
    nbo.append(["Total Receipts Processed", 70, 1775, 71, 1916])
    amend = book.create_sheet("AmendmentsToPreviousRegisters")
    amend.append([*_2017_RELEASE_HEADERS[1:], None])
    amend.append(
        [
            "PUBLIC HEALTH ENGLAND (PHE)",
            _HES[2],
            "Identifiable",
            "Sensitive",
            "Section 251 approval is in place for the flow of identifiable data",
            None,
            "Ongoing",
            w.reference(version=True),
            None,
            "Y",
            "Omitted from previous registers",
        ]
    )
    _save(book, path)
    return rows


def _2017_category(w: _Writer, category: str) -> str:
    if category == "pseudonymised":
        return w.pick(("Anonymised - ICO Code Compliant", "Anonymised - ICO code compliant"))
    return "Aggregated-Small Numbers Suppressed" if category == "aggregate" else "Identifiable"


def _workbook_data_uses(w: _Writer, entries: list[_Entry], path: Path) -> int:
    """The newer three-sheet Data Uses Register: Agreements, Datasets, DataReleases."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    agreements = book.create_sheet("Agreements")
    agreements.append(list(_DUR_AGREEMENT_HEADERS))
    datasets = book.create_sheet("Datasets")
    datasets.append(list(_DUR_DATASET_HEADERS))
    releases = book.create_sheet("DataReleases")
    releases.append(list(_DUR_RELEASE_HEADERS))
    rows = 0
    for e in entries:
        start, end = e.dsa or e.window
        agreements.append(
            [
                e.reference,
                e.title or "Commissioning",
                e.organisation.upper(),
                "CCG" if "CCG" in e.organisation else "Other",
                e.controllers,
                "Joint",
                f"{start.replace('.', '-')}-01",
                f"{end.replace('.', '-')}-28",
                "No",
                "No",
                _cell_text(e.sections["Objectives"]),
                _cell_text(e.sections["Processing"]),
                _cell_text(e.sections["Outputs"]),
                _cell_text(e.sections["Expected Benefits"]),
                "",
            ]
        )
        for name in e.datasets:
            datasets.append(
                [
                    e.reference,
                    name,
                    _CATEGORY[e.category].replace(" - ICO code compliant", ""),
                    "Sensitive",
                    "Ongoing",
                    e.legal_basis,
                    "Section 251",
                ]
            )
            for _ in range(w.rng.randrange(1, 4)):
                rows += 1
                y, m = start.split(".")
                releases.append(
                    [
                        name,
                        e.reference,
                        w.pick(("Y", "N")),
                        f"{'JanFebMarAprMayJunJulAugSepOctNovDec'[(int(m) - 1) * 3 :][:3]}-{y[2:]}",
                    ]
                )
    _save(book, path)
    return rows


def _save(book: object, path: Path) -> None:
    """Save with fixed document dates and zip timestamps, so the same seed gives the same bytes."""
    buffer = io.BytesIO()
    book.save(buffer)  # type: ignore[attr-defined]
    y, mo, d, h, mi, sec = _EPOCH
    stamp = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}Z"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_EPOCH), data, zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------------------------------
# The entry point


def write_register(
    directory: str | Path, *, entries: int, seed: int, pages_per_file: int = 50, workbook: bool = True
) -> SynthSummary:
    """Write a synthetic register of ``entries`` page entries (and workbooks) into ``directory``.

    The pages go to ``directory/pages/NNN/`` (``pages_per_file`` page files per
    folder; a page file holds one recipient's page, since the page format has one
    banner per file).  With ``workbook``, a 2017 quarterly workbook
    (``ReleaseRegister-synthetic.xlsx``, about one purpose statement per 12 entries,
    like the real 838) and a Data Uses Register workbook (``DataUsesRegister-
    synthetic.xlsx``) are written too.  About 13 kB per entry, like real entries:
    10 000 entries come to about 130 MB.

    Parameters
    ----------
    directory : str or Path
        Created if missing; existing files of the same names are overwritten.
    entries : int
        Number of page entries (at least 1).
    seed : int
        The same seed gives the same bytes.
    pages_per_file : int, default 50
        Page files per sub-folder of ``pages/``.
    workbook : bool, default True
        Also write the two workbooks.

    Returns
    -------
    SynthSummary
        Counts, bytes, planted defects and planted convergences.

    Raises
    ------
    ValueError
        If ``entries`` or ``pages_per_file`` is below 1.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     s = write_register(tmp, entries=12, seed=1, workbook=False)
    >>> s.entries, s.pages >= 1, s.bytes > 50_000
    (12, True, True)
    """
    if entries < 1 or pages_per_file < 1:
        raise ValueError("entries and pages_per_file must be at least 1")
    root = Path(directory)
    w = _Writer(seed)
    counts = _entry_counts(w, entries)
    orgs = _organisations(w, len(counts))
    ccgs = [o.name for o in orgs if o.kind == "ccg"] or ["NHS Mid Essex CCG"]
    written: list[Path] = []
    page_bytes = 0
    drawn: list[_Entry] = []
    for i, (org, n) in enumerate(zip(orgs, counts, strict=True)):
        page_entries = _page_entries(w, org, n, [c for c in ccgs if c != org.name] or ccgs)
        drawn += page_entries
        layout = "newer" if org.kind == "ccg" or w.chance(0.4) else w.pick(("older", "earliest"))
        data = _page(w, org, page_entries, layout).encode("utf-8")
        path = root / "pages" / f"{i // pages_per_file:03d}" / f"{i:05d}_{_slug(org.name)}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
        page_bytes += len(data)
    statements = releases = 0
    if workbook:
        sample = drawn[::12][: max(1, entries // 12)]
        releases = _workbook_2017(w, sample, root / "ReleaseRegister-synthetic.xlsx")
        statements = len(sample)
        uses = drawn[5::25]
        if uses:
            releases += _workbook_data_uses(w, uses, root / "DataUsesRegister-synthetic.xlsx")
            statements += len(uses)
        written += [
            p for p in (root / "ReleaseRegister-synthetic.xlsx", root / "DataUsesRegister-synthetic.xlsx") if p.exists()
        ]
    total = sum(p.stat().st_size for p in written)
    return SynthSummary(
        entries,
        len(counts),
        len(written),
        page_bytes,
        total,
        statements,
        releases,
        dict(w.defects),
        tuple(w.planted),
        tuple(str(p) for p in written),
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
