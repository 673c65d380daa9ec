# ruff: noqa: E501 -- the seed's text: one paragraph (or list item) a line, as written.
"""The TSC help text ("Search Department of Revenue Services Filtered Topic Search") as data:
one topic per section, in the seed's order and words. Migration 0003 loads it; nothing reads the
seed file at run time.

How a body is written: paragraphs are separated by a blank line, a line starting "• " is an item
of a bullet list, a line starting "## " is a heading inside the topic.
"""

from dataclasses import dataclass

BULLET = "• "
HEADING = "## "


@dataclass(frozen=True)
class SeedTopic:
    slug: str
    title: str
    area: str  # a tsc.help.models.Area value
    body: str


def search_text(body: str) -> str:
    """The words of a body without its markup: what the full-text index reads."""
    return "\n".join(line.removeprefix(HEADING) for line in body.splitlines())


def blocks(body: str) -> list[tuple[str, str | list[str]]]:
    """A body as ("p", text), ("h", text) and ("ul", [items]) blocks, for the template to render
    (and escape)."""
    out: list[tuple[str, str | list[str]]] = []
    for chunk in body.strip().split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if lines and all(line.startswith(BULLET) for line in lines):
            out.append(("ul", [line.removeprefix(BULLET) for line in lines]))
        elif len(lines) == 1 and lines[0].startswith(HEADING):
            out.append(("h", lines[0].removeprefix(HEADING)))
        elif lines:
            out.append(("p", " ".join(lines)))
    return out


def rows() -> list[dict]:
    """The topics as rows for the Topic table (the migration's and the tests' loader)."""
    return [
        {
            "slug": t.slug,
            "title": t.title,
            "area": t.area,
            "body": t.body.strip(),
            "search_text": search_text(t.body.strip()),
            "position": n,
        }
        for n, t in enumerate(TOPICS, start=1)
    ]


TOPICS = [
    SeedTopic(
        slug="create-update-profile",
        title="Create/Update Profile",
        area="profile",
        body="""\
## Contact Information

Enter your name and other contact information as required.

## User Profile

First time users of the TSC must create a user profile which includes a User ID and password and must answer two identity questions.

The User ID is chosen by the user. Once created, it cannot be changed. Your User ID will be required for all future filings. (Choose something that is easy to remember. You can use your name as your User ID.)

The password is case sensitive and must be between 6 and 10 characters long. The password must contain at least two of the following character types: letters; numbers; special characters. The two identity questions and answers will enable you to enter the TSC in the event you forget your password. If you do not intend to use our telephone system, you do not have to complete the Telephone Password section. You must complete all other fields.

WRITE YOUR USER ID AND PASSWORD ON A PIECE OF PAPER AND STORE IT IN A SAFE PLACE. YOU WILL NEED TO ENTER THESE EACH TIME YOU LOGIN TO THE TSC.

On subsequent visits to the TSC, you will simply enter your tax registration number on the TSC Welcome page and then enter the User ID and password you have created on the next web page.
""",
    ),
    SeedTopic(
        slug="main-menu",
        title="Main Menu",
        area="filing",
        body="""\
From the main menu, depending on your access rights, you may do all or some of the following:

• File Returns
• View Returns and Payment History
• Make Payments
• Make Changes to the Business Profile

Note: Effective December 2008, DRS added the Withholding Non-Wage link to all registered taxpayers with DRS regardless if they are registered for the nonpayroll withholding tax or not. This new filing option now allows all taxpayers to submit Form(s) 1099-Misc. and the associated Form CT-1096, Annual Summary of Informational Returns electronically when they have State tax withheld to report. There are 3 different filing options to choose from:

• Manually enter my 1099/W-2G information (maximum 50)
• Upload a file containing 1099/W-2G information
• Upload a 1099/W-2G file using the Standard file formatting

The TSC Administrator for your business assigns the access rights. If you have any questions on your rights, you must contact your TSC Administrator. See Administrator Contact on the left hand toolbar of this page. (DRS personnel cannot assist you with changing your access rights.)

You can also update your password/profile by clicking on the link on the left side of the page.
""",
    ),
    SeedTopic(
        slug="third-party-bulk-filing",
        title="Third Party Bulk Filing",
        area="bulk",
        body="""\
File for your Clients - click on this link to view and select a filing option for your client’s tax returns. The options are:

File Import

• Key and Send – Combined Client Filing
• Key and Send – Single Client Filing

Make a Payment for your Client - click here to make a payment for your client. This option allows bulk filers to make a payment only (no return) for their clients by entering either their Clients CT REG number or Client SSN. You can only make a payment for tax types for which your client is registered.

View File Upload Status - click on here to check File Status and Acknowledgements of past uploaded files. You will have the option to view details on both successful and rejected files.

Update Client Bank Information click here to update bank information for your clients registered tax types. This option allows you make changes for a registration number that already has banking information established.
""",
    ),
    SeedTopic(
        slug="add-update-users",
        title="Add/Update Users",
        area="users",
        body="""\
IMPORTANT: TO AVOID LATE RETURNS OR PAYMENTS, IT IS STRONGLY RECOMMENDED THAT THE TSC ADMINISTRATOR CREATE AT LEAST ONE SUB-USER TO FILE AND PAY RETURNS IN THE EVENT OF HIS OR HER UNEXPECTED ABSENCE.

FOR EXAMPLE, IF THE TSC ADMINISTRATOR IS THE ONLY PERSON WITH THE RIGHT TO FILE AND PAY, NO ONE ELSE WILL BE ABLE TO PERFORM THESE FUNCTIONS USING THE TSC IF THE ADMINISTRATOR IS NOT AVAILABLE. THIS PROBLEM WILL BE AVOIDED IF YOU CREATE A SUB-USER AS BACK-UP.

FOR SECURITY PURPOSES, DRS WILL NOT BE ABLE TO GIVE ACCESS TO THE ACCOUNT TO ANYONE ELSE IN THE ADMINISTRATOR'S ABSENCE.

The TSC Administrator for the business will have the ability to create other “users” within the business and provide these users with different access rights in the TSC. For example, the TSC Administrator could designate one user in the business to file returns and another user to make payments

The levels that will be available for assignment are:

• View Only - User has rights to view returns, payments, and cancelled payments.
• File Only - User has rights to prepare, save, and submit a return and receive a confirmation.
• Pay Only - User has rights to make a payment, cancel a payment, and view history.
• File and Pay - User has rights to file and pay, cancel a payment, and view history.
• No Access - User has no rights for this tax type.

To add a new user, click on the Add User button.

Edit Current Users: The TSC Administrator can also add new rights or remove all or some of the rights from current users. To edit the rights of current users, click on the name of the user below.
""",
    ),
    SeedTopic(
        slug="unlock-user",
        title="Unlock User",
        area="users",
        body="""\
The TSC Administrator for the business is the only one that has the ability to reset and unlock the passwords for other TSC users for that business. (DRS cannot unlock the password for these users.)

To unlock a TSC User, the TSC Administrator should go the Status Box and change the status in the drop down menu from "locked" to "active".

If the user also forgot his or her password, the TSC Administrator may either:

• Manually enter a temporary password for the user by checking "Generate Temporary Password" box and typing the password in the Password Box. The temporary password must be 6-10 characters long and must contain both letters and numbers. The password is case sensitive; or
• Click on Generate Temporary Password button to have the system choose a password.
• Write down the temporary password and notify the user.
• The user must enter this temporary password the next time he or she logs into the TSC and will then be prompted to create a new password.
""",
    ),
    SeedTopic(
        slug="add-user",
        title="Add User",
        area="users",
        body="""\
The administrator may create accounts for other users of the TSC by following these steps:

• Enter a User ID for the new user. DRS recommends using a User ID that the user will remember, such as the user's last name and first initial. Write down the User ID and give it to the new user.
• Type in the User Name (This is just for identification purposes and is not used in the login process.)
• Generate Password: Either enter a temporary password or click on "Generate Temporary Password" to let the system create it. Be sure to give the temporary password to the new user. The new user will be prompted to create his/her own password when they log into the TSC for the first time.
• Assign User Rights: Select the user's rights from the drop down boxes. You must select the user's rights for each tax type for which the business is registered. Access Level Descriptions are provided at the bottom of the Add User page.
• Hit the Save button.
""",
    ),
    SeedTopic(
        slug="edit-user",
        title="Edit User",
        area="users",
        body="""\
The TSC Administrator can:

• Activate or Disable users. To activate or disable a user, scroll down to the Status drop-down box and make the selection.
• Change the access rights of users. To change access rights, scroll down to User Rights and make the changes in the drop down box(es).
• Assign Administrator rights to another user. To temporarily (or permanently) assign your rights as Administrator to another user, scroll down to User Information, and check "This user is the Administrator" box. Remember, there is only ONE TSC Administrator per Connecticut Tax Registration Number. If you make this user the Administrator, you will no longer have those rights.
""",
    ),
    SeedTopic(
        slug="update-banking-information",
        title="Update Banking Information",
        area="payments",
        body="""\
This will display your banking information by tax type. You may add and/or change your banking information by tax type or select all for a global change.
""",
    ),
    SeedTopic(
        slug="view-return-history",
        title="View Return History",
        area="filing",
        body="""\
You may view returns for the last 3 years. Select the tax type and choose the option to view by Period End or by Filing Date Range and enter the desired dates. After you hit Search, scroll down the page to see the result. For more details, select the confirmation number to view the return.

## Date Range

You may view up to 3 years prior activity: either by period end or by the date you filed. Dates can be selected from the calendar or entered in mm/dd/yyyy format (You must include the slashes).
""",
    ),
    SeedTopic(
        slug="view-processed-payments-credits",
        title="View Processed Payments/Credits",
        area="payments",
        body="""\
You may view payments for the last 3 years that have been processed by DRS. Select the tax type or "View All" and choose the option to view by Period End or by Filing Date Range and enter the desired dates. Note: Payments are sent to the bank 1 banking day prior to the requested payment date. If the payment you are attempting to view has been sent to the bank, but has not been posted to your account by DRS, you will not be able to view it.

Information is current as of - This information last updated on the date shown. Transactions processed after this date and time are not reflected.

NOTE on Balance Due: If a return for any of the periods listed below has not yet been filed, the balance due column may not be accurate. Once the return for the period has been filed and processed, the balance will be updated. For example: if you did not file a return for the Period End 7/31/06 and DRS mailed you a delinquency notice, the Balance Due column will not show the correct amount due because you have not yet reported what you owe; instead it will show $0. If you are not certain whether you filed a return for any period, return to the Main Menu and select View Returns.
""",
    ),
    SeedTopic(
        slug="view-scheduled-payments-credits",
        title="View Scheduled Payments/Credits",
        area="payments",
        body="""\
You may view payments that are scheduled but have not yet been sent to the bank. Select the tax type or "View All" and choose the option to view by Period End or by Filing Date Range and enter the desired dates. Payments are sent to the bank 1 banking day prior to the requested payment date. If the payment has already been processed and posted to your account by DRS, you can view the payment by selecting View Processed Payments.
""",
    ),
    SeedTopic(
        slug="view-cancelled-payments",
        title="View Cancelled Payments",
        area="payments",
        body="""\
You may view payments that were scheduled and then cancelled before they were processed. Select the tax type or all and choose the option to view by Period End or by Filing Date Range and enter the desired dates.
""",
    ),
    SeedTopic(
        slug="view-account-period-details",
        title="View Account Period Details",
        area="account",
        body="""\
You may view up to 3 years of account period details. Billing inquiries may be made for 6 years prior to the current date.

Select the tax type or all and choose the option to view by Period End or by Filing Date Range and enter the desired dates. The results will show you tax, penalty, interest, payments, and balance due by period.

If a balance is owed, the balance if paid by date and a link to make a payment will also be available.

NOTE: if the bill is for a period prior to 2003, payment cannot be made online. Payments for bills prior to 2003 must be made by check and mailed to Department of Revenue Services, Accounts Receivable Unit, P.O. Box 5088, Hartford CT 06102-5088

Information is current as of:

This information last updated on the date shown. Payments processed after this date and time are not reflected.

NOTE on Balance Due: If a return for any of the periods listed below has not yet been filed, the balance due column may not be accurate. Once the return for the period has been filed and processed, the balance will be updated. For example: if you did not file a return for the Period End 7/31/06 and DRS mailed you a delinquency notice, the Balance Due column will not show the correct amount due because you have not yet reported what you owe; instead it will show $0. If you are not certain whether you filed a return for any period, return to the Main Menu and select View Returns.
""",
    ),
    SeedTopic(
        slug="penalty-waiver",
        title="Penalty Waiver",
        area="account",
        body="""\
All tax and/or interest should be paid before requesting a waiver of the penalty. Be sure to view your balance due before submitting your request. If tax and/or interest is due, submit your payment first and do not submit your penalty waiver until that payment has been processed. Interest cannot be waived and must be paid before your penalty waiver request can be reviewed. It is recommended that you allow 2 months for a reply from the Penalty Waiver Unit. If you have not received a reply at that time, please call the Penalty Waiver Unit at 860-297-4944.
""",
    ),
    SeedTopic(
        slug="third-party-bulk-filer",
        title="Third Party Bulk Filer",
        area="bulk",
        body="""\
Third Party Bulk Filers (TPBF) are tax preparers or others that have requested and been assigned by DRS the capability to file tax returns on behalf of other taxpayers. If you have been assigned the access rights of a TPBF, you will have the option to key in the information for one client at a time, upload a file for multiple taxpayers, or submit a combined filing for multiple withholding tax payments (CT-WH) for your clients with a single logon using the same bank account. To become a TPBF, contact the Electronic Commerce Unit (ECU) at 860-297-4973.
""",
    ),
    SeedTopic(
        slug="refund-status",
        title="Refund Status",
        area="refunds",
        body="""\
Explanation of Refund Status Terms:

PROCESSED: Your return has been processed and your refund will be issued in a few days. If you requested Direct Deposit you must allow 2-3 business days before the refund reflects in your bank account. Please check your bank statement or call your bank after 2-3 business days from processed date. (Direct Deposit refunds are not immediately reflected in your account)

UNDELIVERABLE: Your refund was processed by DRS but was undeliverable because of a problem with your mailing address in our records. Please contact the Customer Service Center between 8:30 am and 4:30 pm Monday through Friday by calling 860-297-5962.

MODIFIED: The amount of your refund has been modified for one of the following reasons: a mathematical error was corrected, it was applied to an existing tax bill or it was offset to pay an outstanding liability to the Internal Revenue Service or another Connecticut State Agency. After processing your return it was determined that additional information is needed for the Earned Income Tax Credit you are claiming. You will receive written notification within 10 days of your return being processed explaining the reason for modification.

UNDER REVIEW: Your return is currently being reviewed. If your return was electronically filed more than ten days ago be sure to check the Department has not sent you correspondence asking for additional information we need from you. (i.e. EITC additional info letter, Refund Protection Notice). These require you to send or follow the instructions on the notice before we can further process your return.

If you mailed your return more than twelve weeks ago, please contact DRS at 860-297-5962.
""",
    ),
    SeedTopic(
        slug="what-is-a-status-letter",
        title="What is a status letter?",
        area="letters",
        body="""\
The Department of Revenue Services (DRS) issues a status letter (also known as a Letter of Good Standing) to a business that requests one provided certain conditions or criteria are satisfied.

If DRS determines it is appropriate to issue a status letter, the letter will contain the following information about a business as of the date it is issued:

• The name of the entity.
• That they have filed all of its tax returns and,
• Paid all taxes that were reported due.

Note: DRS does not make any representations that it has conducted an audit examination or otherwise concluded that the information reported on the tax return(s) is correct.

This is not a Tax Clearance Certificate under Connecticut General Statutes §§12-294, 12-424, 12-546, or 12-707.

For additional information refer to IP 2016(17), Status Letters
""",
    ),
]
