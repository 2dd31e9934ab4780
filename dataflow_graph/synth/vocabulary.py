"""Names, dataset spellings and statement fragments the synthetic register is drawn from."""

from __future__ import annotations

from dataclasses import dataclass

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
