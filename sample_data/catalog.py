"""The demo company's catalogue: segments, plans, price books, people and vocabularies.

Pure data, no logic. Every other ``sample_data`` module reads its constants from here, so the
numbers quoted in the generator's docstring and in the final report live in one place.

Prices are per seat per month in each currency's own price book (round local prices, as SaaS
companies publish them, not converted USD). The amount on a subscription row is the price per
*billing period* (monthly price x months), the quantity is the number of seats.
"""

from __future__ import annotations

# --- Segments -------------------------------------------------------------------------------
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_WEIGHTS = (0.62, 0.29, 0.09)
SEAT_MEDIAN = (6.0, 45.0, 320.0)
"""Median seats at signup per segment (log-normal)."""
SEAT_SIGMA = (0.55, 0.6, 0.7)
SEAT_RANGE = ((1, 40), (10, 240), (60, 3000))
TRIAL_SHARE = (0.45, 0.2, 0.0)
"""Share of accounts starting with a 14-day trial (Enterprise buys after a sales process)."""
TRIAL_DAYS = 14
TRIAL_LAPSE_SHARE = 0.06
"""Share of trials that never convert (the account stays, with only its trial row)."""

# --- Billing periods --------------------------------------------------------------------------
BILLING_PERIODS = ("month", "quarter", "half_year", "year", "24months")
PERIOD_MONTHS = (1, 3, 6, 12, 24)
TERM_MONTHS = (0, 12, 12, 12, 24)
"""Contract term per billing period: quarterly and half-yearly billing are annual contracts
billed in instalments; monthly is month-to-month (no term_end)."""
BILLING_MIX = (
    (0.72, 0.0, 0.0, 0.28, 0.0),  # SMB
    (0.20, 0.25, 0.05, 0.50, 0.0),  # Mid-Market
    (0.0, 0.12, 0.0, 0.62, 0.26),  # Enterprise
)
PREPAY_DISCOUNT = (0.0, 5.0, 8.0, 12.0, 18.0)
"""Discount (percent) for paying further ahead, per billing period."""
NEGOTIATED_DISCOUNT = ((0, 0), (0, 10), (5, 25))
"""Range of the sales-negotiated extra discount per segment (percent, uniform integer)."""
SMB_COUPON_SHARE = 0.10
SMB_COUPONS = (10.0, 15.0, 20.0, 25.0)

# --- Plans --------------------------------------------------------------------------------------
PLANS = ("Starter", "Growth", "Pro", "Enterprise")
INCLUDED_UNITS = (8_000, 40_000, 200_000, 1_500_000)
"""Events included per month."""
SEAT_LIMITS = (10, 50, 250, 5_000)
PLAN_FEATURES = (8, 14, 22, 30)
"""Number of product features a plan unlocks (caps usage_daily.features_used)."""
SEGMENT_MIN_TIER = (0, 1, 2)
"""Lowest plan a segment buys: Mid-Market starts at Growth, Enterprise at Pro."""

CURRENCIES = ("USD", "EUR", "GBP")
PRICE_BOOK = (
    (12.0, 29.0, 49.0, 79.0),  # USD per seat per month
    (11.0, 27.0, 45.0, 72.0),  # EUR
    (10.0, 24.0, 39.0, 65.0),  # GBP
)
FX_START = {"EUR": 1.09, "GBP": 1.27}
"""Starting USD per unit for the seeded monthly exchange-rate walk."""
FX_MONTHLY_SIGMA = {"EUR": 0.016, "GBP": 0.017}

# Add-ons: (plan name, monthly price or one-off price per currency USD/EUR/GBP).
PREMIUM_SUPPORT = "Premium Support"
PREMIUM_SUPPORT_PRICE = ((450.0, 420.0, 360.0), (1_200.0, 1_100.0, 950.0))
"""Monthly price, Mid-Market then Enterprise; recurring, billed monthly, quantity 1."""
PREMIUM_SUPPORT_SHARE = (0.0, 0.12, 0.35)
ONBOARDING = "Onboarding Package"
ONBOARDING_PRICE = ((2_500.0, 2_300.0, 2_000.0), (12_000.0, 11_000.0, 9_500.0))
ONBOARDING_SHARE = (0.0, 0.35, 0.7)
TRAINING = "Training Workshop"
TRAINING_PRICE = (900.0, 850.0, 750.0)
TRAINING_SHARE = (0.04, 0.10, 0.15)
ADDON_PLANS = (PREMIUM_SUPPORT, ONBOARDING, TRAINING)

# --- Lifecycle hazards (per month) and renewal outcomes -------------------------------------
CHURN_HAZARD = (0.028, 0.013, 0.006)
"""Month-to-month cancellation probability per month, per segment."""
DOWN_HAZARD = (0.012, 0.010, 0.007)
"""Contraction or downgrade of month-to-month contracts per month."""
EXPANSION_HAZARD = (0.014, 0.022, 0.025)
UPGRADE_HAZARD = (0.008, 0.008, 0.006)
ANNUAL_SWITCH_HAZARD = (0.004, 0.004, 0.0)
PAUSE_HAZARD = (0.006, 0.002, 0.0)
RENEWAL_CHURN = (0.18, 0.10, 0.06)
RENEWAL_DOWN = (0.12, 0.12, 0.11)
RENEWAL_UPLIFT_MAX_PCT = 7
REACTIVATION_SHARE = (0.14, 0.10, 0.06)
RESUME_SHARE = 0.75
IMMEDIATE_END_SHARE = 0.2
"""Cancellations and pauses taking effect at once, with the current charge refunded."""
IMMEDIATE_SHRINK_SHARE = 0.35
"""Month-to-month contractions and downgrades taking effect at once (unused part credited)."""
INVOLUNTARY_SHARE = 0.25
"""Month-to-month card churn that is a failed payment nobody fixed."""

# --- People, places, names ------------------------------------------------------------------
CSM_POOLS = (
    ("Liam O'Connor", "Hana Sato", "Daniel Novak"),  # SMB (pooled, tech-touch books)
    ("Sofia Alvarez", "Jonas Becker", "Amara Okafor"),  # Mid-Market
    ("Priya Raman", "Marcus Chen"),  # Enterprise
)
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_WEIGHTS = (0.5, 0.3, 0.12, 0.08)
EMEA_CURRENCY_WEIGHTS = (0.10, 0.62, 0.28)
"""USD / EUR / GBP share among EMEA accounts; every other region is billed in USD."""
INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Retail & E-commerce",
    "Manufacturing",
    "Education",
    "Media & Entertainment",
    "Professional Services",
    "Logistics",
    "Nonprofit",
)
INDUSTRY_WEIGHTS = (0.2, 0.11, 0.1, 0.12, 0.09, 0.08, 0.07, 0.12, 0.07, 0.04)
NAME_FIRST = (
    "Blue",
    "North",
    "Silver",
    "Red",
    "Green",
    "Golden",
    "Swift",
    "Clear",
    "Bright",
    "Iron",
    "Cedar",
    "Maple",
    "Summit",
    "Harbor",
    "River",
    "Stone",
    "Copper",
    "Quiet",
    "Bold",
    "True",
    "Prime",
    "Open",
    "Polar",
    "Lunar",
    "Solar",
    "Coastal",
    "Urban",
    "Alpine",
    "Amber",
    "Crimson",
    "Indigo",
    "Ivory",
    "Jade",
    "Onyx",
    "Pine",
    "Sage",
    "Velvet",
    "Wild",
    "Zephyr",
    "Atlas",
)
NAME_SECOND = (
    "Fox",
    "Peak",
    "Bridge",
    "Field",
    "Wave",
    "Forge",
    "Leaf",
    "Rock",
    "Lake",
    "Hill",
    "Spring",
    "Point",
    "Grove",
    "Crest",
    "Mill",
    "Gate",
    "Ridge",
    "Bay",
    "Falcon",
    "Otter",
    "Heron",
    "Lynx",
    "Orbit",
    "Pixel",
    "Signal",
    "Anchor",
    "Beacon",
    "Compass",
    "Vertex",
    "Canyon",
    "Meadow",
    "Delta",
    "Ember",
    "Quill",
    "Rover",
    "Sparrow",
    "Tide",
    "Willow",
    "Arrow",
    "Birch",
    "Comet",
    "Dune",
    "Echo",
    "Flint",
    "Garnet",
    "Hawk",
    "Iris",
    "Juniper",
    "Kite",
    "Lantern",
    "Mesa",
    "Nova",
    "Oak",
    "Prism",
    "Raven",
    "Slate",
    "Thistle",
    "Vale",
)
NAME_KIND = (
    "Analytics",
    "Logistics",
    "Health",
    "Studio",
    "Labs",
    "Systems",
    "Foods",
    "Media",
    "Capital",
    "Partners",
    "Robotics",
    "Learning",
    "Energy",
    "Outfitters",
    "Design",
    "Software",
    "Clinics",
    "Travel",
    "Insurance",
    "Markets",
    "Networks",
    "Bakery",
    "Architects",
    "Dental",
    "Games",
    "Freight",
    "Legal",
    "Apparel",
    "Consulting",
    "Biotech",
    "Realty",
    "Brewing",
    "Security",
    "Pharma",
    "Publishing",
    "Motors",
    "Fitness",
    "Academy",
    "Ventures",
    "Works",
)
CHILD_UNITS = (
    "Europe",
    "APAC",
    "Americas",
    "Retail Division",
    "Health Unit",
    "Digital",
    "Research",
    "Field Services",
    "Canada",
    "Nordics",
)
CHILD_UNIT_REGION = {
    "Europe": "EMEA",
    "Nordics": "EMEA",
    "APAC": "APAC",
    "Americas": "North America",
    "Canada": "North America",
}
"""Subsidiaries named after a place are in that region (and billed in its currency)."""
PARENT_SHARE = 0.3
"""Share of Enterprise accounts that have subsidiaries among the other accounts."""
MAX_CHILDREN = 3

# --- Support and survey vocabularies --------------------------------------------------------
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_MIX = ((0.30, 0.50, 0.16, 0.04), (0.15, 0.40, 0.30, 0.15))
"""Priority mix of ordinary tickets, then of tickets raised while an account is at risk."""
SLA_HOURS = (120.0, 72.0, 24.0, 8.0)
RESOLUTION_MEDIAN_HOURS = (60.0, 30.0, 14.0, 5.0)
TICKETS_PER_MONTH = (0.2, 0.8, 2.5)
RISK_DAYS = 150
"""Days before a churn, pause, contraction or downgrade in which the account looks at risk."""

PROMOTER_COMMENTS = (
    "The automations save my team hours every week.",
    "Support is fast and actually solves things.",
    "Dashboards are the first thing we open in the morning.",
    "Onboarding was smooth and the CSM knows our business.",
    "Great value for the price.",
    "Rolled it out to two more teams, everyone likes it.",
)
PASSIVE_COMMENTS = (
    "Does the job, reporting could be more flexible.",
    "Good product, pricing is getting steep.",
    "Fine overall, a few features feel unfinished.",
    "Works well once set up, setup took too long.",
)
DETRACTOR_COMMENTS = (
    "Too many outages lately.",
    "Tickets take days to get an answer.",
    "We are not using it enough to justify the cost.",
    "Missing integrations we need, looking at alternatives.",
    "The last release broke our workflows.",
    "Billing problems again this month.",
)
