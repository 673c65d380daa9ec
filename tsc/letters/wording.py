"""The seed's words about status letters ("What is a status letter?"), shared by the pages and
the PDF so the letter says exactly what the page promises."""

WHAT_IT_IS = (
    "The Department of Revenue Services (DRS) issues a status letter (also known as a Letter of Good "
    "Standing) to a business that requests one provided certain conditions or criteria are satisfied."
)
CONTAINS = (
    "If DRS determines it is appropriate to issue a status letter, the letter will contain the "
    "following information about a business as of the date it is issued:"
)
BULLETS = (
    "The name of the entity.",
    "That they have filed all of its tax returns and,",
    "Paid all taxes that were reported due.",
)
NOTE = (
    "Note: DRS does not make any representations that it has conducted an audit examination or "
    "otherwise concluded that the information reported on the tax return(s) is correct."
)
NOT_A_CLEARANCE = (
    "This is not a Tax Clearance Certificate under Connecticut General Statutes §§12-294, 12-424, 12-546, or 12-707."
)
MORE = "For additional information refer to IP 2016(17), Status Letters"
