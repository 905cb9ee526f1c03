"""Write the crafted corpus: mail a UK police force's FOI mailbox really receives.

Written for this project (no real person's mail): each message is built with the
stdlib `email` package in the shape its sender's software gives it (Microsoft 365
with an HTML alternative and a long Message-ID, Gmail, WhatDoTheyKnow with its
footer, Exchange and Postfix reports ...), and labelled with the decision a careful
FOI officer would make. Run it to rebuild `crafted/` and `labels/crafted.csv`:

    python tests/corpora/make_crafted.py
"""

from __future__ import annotations

import csv
import hashlib
import html
import sys
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "crafted"
LABELS = HERE / "labels" / "crafted.csv"
FOI = "foi@exampleshire.police.uk"
FORCE = "Exampleshire Constabulary"

WDTK_FOOTER = """
-------------------------------------------------------------------

Please use this email address for all replies to this request:
{address}

Is {address} the wrong address for Freedom of Information requests to {force}? If so, please contact us using this form:
https://www.whatdotheyknow.com/change_request/new?body=exampleshire_constabulary

Disclaimer: This message and any reply that you make will be published on the internet. Our privacy and copyright policies:
https://www.whatdotheyknow.com/help/officers

For more detailed guidance on safely disclosing information, read the latest advice from the ICO:
https://www.whatdotheyknow.com/help/ico-guidance-for-authorities

Please note that in some cases publication of requests and responses will be delayed.

If you find this service useful as an FOI officer, please ask your web manager to link to us from your organisation's FOI page.

-------------------------------------------------------------------
"""

M365_DISCLAIMER = """
This email and any attachments are confidential and intended solely for the use of the individual to whom it is addressed. If you have received this email in error please notify the sender and delete it. Any views expressed are those of the author and not necessarily those of the company.
"""

messages: list[tuple[str, str, str, EmailMessage]] = []


def m365_id(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest().upper()
    return f"<LO4P265MB{h[:4]}{h[4:12]}{h[12:40]}@LO4P265MB{h[:4]}.GBRP265.PROD.OUTLOOK.COM>"


def gmail_id(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"<CAK{h[:10]}+{h[10:30]}-{h[30:44]}@mail.gmail.com>"


def build(name: str, label: str, note: str, *, sender: str, subject: str, text: str,
          to: str = FOI, date: str = "Mon, 02 Nov 2026 09:14:05 +0000", html_part: bool = False,
          message_id: str | None = None, headers: dict[str, str] | None = None,
          attachments: tuple[tuple[str, str, bytes], ...] = (),
          attach_message: EmailMessage | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = message_id or f"<{hashlib.md5(name.encode()).hexdigest()}@mail.example.net>"
    message["MIME-Version"] = "1.0"
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(text)
    if html_part:
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
        message.add_alternative(f"<html><body><div>{paragraphs}</div></body></html>",
                                subtype="html")
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if attach_message is not None:
        message.add_attachment(attach_message)
    messages.append((name, label, note, message))
    return message


def raw(name: str, label: str, note: str, text: str) -> None:
    """A message whose bytes matter more than the stdlib would write them."""
    from email import message_from_string
    from email.policy import default

    message = message_from_string(text.lstrip(), policy=default)
    messages.append((name, label, note, message))  # type: ignore[arg-type]


# -- WhatDoTheyKnow requests ----------------------------------------------------------

WDTK = [
    ("wdtk-firearms", "Jane Requester", "request-1123-7f3a9c1e", "Firearms licences 2025",
     "Dear Exampleshire Constabulary,\n\nPlease provide the following information:\n\n"
     "1. The number of shotgun certificates in force on 31 March 2025.\n"
     "2. The number of firearm certificates in force on the same date.\n"
     "3. How many applications were refused in 2024/25, and on what grounds.\n\n"
     "Yours faithfully,\n\nJane Requester"),
    ("wdtk-lfr", "Sam Okafor", "request-1201-0b9d22f4", "Live facial recognition deployments",
     "Dear Exampleshire Constabulary,\n\nUnder the Freedom of Information Act 2000, I "
     "would like to request:\n\n1) Every date in 2026 on which live facial recognition was "
     "deployed.\n2) The watchlist size for each deployment.\n3) The number of alerts and "
     "the number of arrests that followed.\n\nYours faithfully,\n\nSam Okafor"),
    ("wdtk-overtime", "Priya Shah", "request-1302-44aa01bc", "Overtime spend by department",
     "Dear Sir or Madam,\n\nCould you please send me the total overtime spend for each "
     "department in the financial years 2023/24 and 2024/25?\n\nA spreadsheet would be "
     "ideal.\n\nYours faithfully,\n\nPriya Shah"),
    ("wdtk-drones", "A. Nonymous", "request-1404-90fe3321", "Drone unit",
     "Dear Exampleshire Constabulary,\n\nHow many drones does the force operate, and what "
     "did each cost?\n\nYours faithfully,\n\nA. Nonymous"),
    ("wdtk-stopsearch", "Tom Evans", "request-1505-1c2d3e4f",
     "Stop and search - Section 60 authorisations",
     "Dear Exampleshire Constabulary,\n\nI am writing to request copies of every Section 60 "
     "authorisation issued in 2025, with the area and duration of each.\n\nIf the cost "
     "limit would be exceeded, please tell me how to narrow the request.\n\nYours "
     "faithfully,\n\nTom Evans"),
    ("wdtk-vehicles", "Lucy Brown", "request-1606-abcdef12", "Fleet electric vehicles",
     "Dear Exampleshire Constabulary,\n\nPlease could you tell me how many of the force's "
     "vehicles are fully electric, and the total mileage they covered last year.\n\n"
     "Yours faithfully,\n\nLucy Brown"),
]
for name, person, local, topic, body in WDTK:
    address = f"{local}@whatdotheyknow.com"
    build(name, "new_request", "WhatDoTheyKnow request with its footer",
          sender=f"{person} <{address}>",
          subject=f"Freedom of Information request - {topic}",
          text=body + "\n" + WDTK_FOOTER.format(address=address, force=FORCE))

build("wdtk-review-unknown", "unsure", "an internal review of a request we never received",
      sender="Mark Hill <request-9876-deadbeef@whatdotheyknow.com>",
      subject="Internal review of Freedom of Information request - Speed camera income",
      text="Dear Exampleshire Constabulary,\n\nPlease pass this on to the person who conducts "
           "Freedom of Information reviews.\n\nI am writing to request an internal review of "
           "Exampleshire Constabulary's handling of my FOI request 'Speed camera income'.\n\n"
           "The response did not answer part 2.\n\nA full history of my FOI request and all "
           "correspondence is available on the Internet at this address: "
           "https://www.whatdotheyknow.com/request/speed_camera_income\n\nYours faithfully,\n\n"
           "Mark Hill" + WDTK_FOOTER.format(address="request-9876-deadbeef@whatdotheyknow.com",
                                            force=FORCE))
build("wdtk-followup-unknown", "unsure", "a WhatDoTheyKnow follow-up, no case of ours",
      sender="Mark Hill <request-9876-deadbeef@whatdotheyknow.com>",
      subject="Re: Freedom of Information request - Speed camera income",
      text="Dear FOI team,\n\nI have not yet had a response to this request, which is now "
           "overdue.\n\nYours faithfully,\n\nMark Hill" +
           WDTK_FOOTER.format(address="request-9876-deadbeef@whatdotheyknow.com", force=FORCE))

# -- requests from Microsoft 365, Gmail, Outlook.com, with HTML, signatures and disclaimers

build("m365-request-contracts", "new_request", "Microsoft 365, HTML alternative, disclaimer",
      sender="Rachel Green <rachel.green@brightwater-consulting.co.uk>",
      subject="Request for information - custody contracts",
      message_id=m365_id("m365-request-contracts"), html_part=True,
      text="Good morning,\n\nI would like to request copies of the current contracts for "
           "custody healthcare services, including the contract value and end date.\n\nMany "
           "thanks,\n\nRachel Green\nSenior Analyst | Brightwater Consulting Ltd\n"
           "T: 0161 496 0123 | M: 07700 900123\nwww.brightwater-consulting.co.uk\n"
           + M365_DISCLAIMER)
build("m365-request-no-foi-words", "new_request", "a request that never names the Act",
      sender="Daniel Price <dprice@harrowgate-news.co.uk>",
      subject="Query - police dogs", message_id=m365_id("m365-dogs"), html_part=True,
      text="Hi,\n\nCan you tell me how many police dogs the force currently has, and how "
           "many were retired in each of the last three years?\n\nThanks,\nDaniel\n\n"
           "Daniel Price | Reporter | Harrowgate News\n01632 960111")
build("m365-request-numbered", "new_request", "numbered questions and a long signature",
      sender="Helen Marsh <Helen.Marsh@northfieldcouncil.gov.uk>",
      subject="FOI request: domestic abuse referrals", message_id=m365_id("m365-dv"),
      html_part=True,
      text="Dear FOI Team,\n\nPlease treat this as a request under the Freedom of "
           "Information Act.\n\n1. How many domestic abuse referrals did the force make to "
           "MARAC in 2025?\n2. What proportion were repeat referrals?\n3. What is the average "
           "time from incident to referral?\n\nKind regards\n\nHelen Marsh\nResearch Officer\n"
           "Northfield Borough Council\nTown Hall, Northfield NF1 1AA\n\nPlease consider the "
           "environment before printing this email.")
build("gmail-request-speeding", "new_request", "Gmail, multipart/alternative",
      sender="Chris Walker <chris.walker1987@gmail.com>", subject="Speeding fines",
      message_id=gmail_id("gmail-speeding"), html_part=True,
      text="Hello,\n\nI'd like to know how much money the force received from speed awareness "
           "courses in 2024 and 2025.\n\nCheers\nChris\n\nSent from my iPhone")
build("gmail-request-cctv", "new_request", "Gmail, short request",
      sender="Amira Haddad <amira.haddad@gmail.com>", subject="Information request",
      message_id=gmail_id("gmail-cctv"), html_part=True,
      text="Hi there,\n\nPlease send me a list of the locations of all police-operated CCTV "
           "cameras in Exampletown.\n\nThank you,\nAmira Haddad")
build("gmail-request-budget", "new_request", "plain text Gmail, no greeting",
      sender="pete.lawson@gmail.com", subject="Budget",
      message_id=gmail_id("gmail-budget"),
      text="Could you provide a breakdown of the force's 2025/26 budget by division?\n\nPete "
           "Lawson\n12 Mill Lane, Exampletown EX3 4BB")
build("outlookcom-request-999", "new_request", "Outlook.com",
      sender="Grace Kim <grace_kim@outlook.com>", subject="999 call answering times",
      message_id="<DB9PR01MB8234A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6@DB9PR01MB8234.eurprd01.prod.exchangelabs.com>",
      html_part=True,
      text="Dear Exampleshire Constabulary\n\nWhat was the average time taken to answer 999 "
           "calls in each month of 2025? I would also like the number of calls abandoned.\n\n"
           "Regards\nGrace Kim\n\nGet Outlook for Android")
build("outlookcom-request-taser", "new_request", "Outlook.com, request under the Act",
      sender="Oliver Grant <olly.grant@hotmail.co.uk>", subject="Taser use",
      message_id="<AM6PR02MB5566ABCDEF0123456789ABCDEF012345@AM6PR02MB5566.eurprd02.prod.outlook.com>",
      text="To whom it may concern,\n\nUnder the Freedom of Information Act 2000 I am "
           "requesting the number of times Taser was drawn, aimed and fired by officers in "
           "2025, broken down by month.\n\nYours sincerely\nOliver Grant")
build("request-with-attachment", "new_request", "a request with a PDF of the questions",
      sender="Fiona Patel <fiona.patel@citizens-advice-example.org.uk>",
      subject="FOI request (questions attached)", html_part=True,
      text="Dear FOI Officer,\n\nPlease find attached a Freedom of Information request about "
           "victim support referrals. I would be grateful if you could confirm receipt.\n\n"
           "Best regards,\nFiona Patel\nPolicy Officer",
      attachments=(("FOI questions.pdf", "application/pdf", b"%PDF-1.4\n% questions\n"),))
build("request-with-docx", "new_request", "questions in the body and a Word document",
      sender="Ben Carter <ben.carter@yahoo.co.uk>", subject="Request re: road closures",
      text="Hello,\n\nI would like to obtain the records of road closures requested by the "
           "force in 2025. The attached document lists the roads I am interested in.\n\n"
           "Thanks\nBen",
      attachments=(("roads.docx", "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document", b"PK\x03\x04docx"),))
build("request-corporate-disclaimer", "new_request", "Exchange user at a firm, long disclaimer",
      sender="Sarah Jones <sjones@hartleylaw.co.uk>", subject="Information request",
      message_id=m365_id("hartley"),
      text="Dear Sirs\n\nWe act for a client in relation to a road traffic collision on 3 "
           "October 2026 on the A12. Please supply copies of any collision report and the "
           "names of attending officers' stations.\n\nYours faithfully\n\nSarah Jones\nSolicitor\n"
           "Hartley & Co Solicitors LLP\n\nCONFIDENTIALITY NOTICE: This email and any files "
           "transmitted with it are confidential and may be legally privileged. If you are "
           "not the intended recipient, please notify us immediately.\nHartley & Co "
           "Solicitors LLP is authorised and regulated by the Solicitors Regulation "
           "Authority.")
build("request-journalist-multi", "new_request", "a journalist's request, questions as bullets",
      sender="Nadia Ali <nadia.ali@thecourier-example.co.uk>",
      subject="FOI: misconduct hearings", html_part=True,
      text="Hi,\n\nThis is a request under FOIA. For each year from 2021 to 2025 please "
           "provide:\n\n- the number of misconduct hearings held\n- the number that resulted "
           "in dismissal\n- the number held in public\n\nBest,\nNadia Ali\nData Reporter, The "
           "Courier")
build("request-student", "new_request", "a student's request",
      sender="Ethan Moore <e.moore@student.exampleuni.ac.uk>",
      subject="Dissertation research - knife crime figures",
      text="Dear Sir/Madam,\n\nI am a student at Exampleshire University writing a "
           "dissertation on knife crime. Would you be able to send me the number of knife "
           "crime offences recorded in Exampletown for each year since 2020?\n\nMany thanks "
           "for your help,\nEthan Moore")
build("request-resend", "new_request", "a resend of an earlier request (first contact here)",
      sender="Chris Walker <chris.walker1987@gmail.com>", subject="Speeding fines (resend)",
      message_id=gmail_id("gmail-speeding-resend"),
      text="Hello,\n\nI am resending my request as I have not had an acknowledgement.\n\nI'd "
           "like to know how much money the force received from speed awareness courses in "
           "2024 and 2025.\n\nChris")

# -- subject access and environmental requests ------------------------------------------

build("sar-bodycam", "new_request", "a subject access request for body-worn video",
      sender="Kelly Adams <kelly.adams@gmail.com>", subject="Subject Access Request",
      message_id=gmail_id("sar-bodycam"),
      text="Dear Data Protection Officer,\n\nI am making a subject access request under "
           "Article 15 of the UK GDPR. Please provide copies of all personal data you hold "
           "about me, including body-worn video footage from the incident on 14 October 2026 "
           "at Station Road.\n\nMy date of birth is 02/03/1985.\n\nYours sincerely\nKelly Adams")
build("sar-plain", "new_request", "a subject access request in plain words",
      sender="Robert King <rob.king@btinternet.com>", subject="My information",
      text="Hello\n\nPlease send me all the information you hold about me. I was arrested in "
           "2019 and want to see my records.\n\nRobert King\n45 Elm Road, Exampletown")
build("sar-m365", "new_request", "a SAR from a solicitor, Microsoft 365",
      sender="James Wright <j.wright@wrightlegal.co.uk>",
      subject="Data Protection Act 2018 - request for personal data - our client Ms L Turner",
      message_id=m365_id("sar-m365"), html_part=True,
      text="Dear Sir/Madam\n\nWe act for Ms Lisa Turner. Please treat this letter as a "
           "subject access request under the UK GDPR and provide copies of all records "
           "relating to our client. Her signed authority is attached.\n\nKind regards\n\n"
           "James Wright\nWright Legal\n" + M365_DISCLAIMER,
      attachments=(("authority.pdf", "application/pdf", b"%PDF-1.4\n"),))
build("eir-flooding", "new_request", "an EIR request",
      sender="Wendy Clarke <wendy.clarke@floodaction-example.org>",
      subject="Environmental information request - flood response",
      text="Dear FOI Team,\n\nUnder the Environmental Information Regulations 2004, please "
           "provide the force's flood response plans for the River Exe catchment and any "
           "assessments of their effectiveness since 2023.\n\nRegards,\nWendy Clarke\n"
           "Flood Action Group")
build("eir-fuel", "new_request", "an environmental request that never names the EIR",
      sender="Mo Hussain <mo.hussain@gmail.com>", subject="Carbon emissions of the fleet",
      message_id=gmail_id("eir-fuel"),
      text="Hi,\n\nCould you please provide the total carbon emissions of the police vehicle "
           "fleet for each of the last three years?\n\nThanks\nMo")
build("eir-noise", "new_request", "an EIR request about noise",
      sender="Ian Fletcher <ian.fletcher@outlook.com>", subject="Firing range noise",
      text="Dear Sir or Madam,\n\nI would like to request any noise monitoring data for the "
           "force firing range at Lower Farm.\n\nYours faithfully\nIan Fletcher")

# -- requests in Welsh ---------------------------------------------------------------------

build("cy-request-cameras", "new_request", "a request written in Welsh",
      sender="Elin Jones <elin.jones@gmail.com>", subject="Cais Rhyddid Gwybodaeth",
      message_id=gmail_id("cy-cameras"),
      text="Annwyl Syr/Madam,\n\nO dan Ddeddf Rhyddid Gwybodaeth 2000, a fyddech cystal ag "
           "anfon y wybodaeth ganlynol ataf:\n\n1. Faint o gamerâu cyflymder sydd yn y sir?\n"
           "2. Faint o arian a gasglwyd o ddirwyon yn 2025?\n\nYn gywir,\n\nElin Jones")
build("cy-request-staff", "new_request", "a Welsh request without the Act's name",
      sender="Dafydd ap Gwilym <dafydd@cymru-example.org>", subject="Cais am wybodaeth",
      text="Helo,\n\nHoffwn gael gwybod nifer y swyddogion sy'n siarad Cymraeg ym mhob "
           "ardal blismona.\n\nDiolch yn fawr,\nDafydd")
build("cy-request-wdtk", "new_request", "a Welsh request through WhatDoTheyKnow",
      sender="Siân Roberts <request-2001-c0ffee01@whatdotheyknow.com>",
      subject="Freedom of Information request - Galwadau 999 yn Gymraeg",
      text="Annwyl Heddlu Swydd Example,\n\nA fyddech cystal â darparu nifer y galwadau 999 a "
           "atebwyd yn Gymraeg yn 2025?\n\nYn gywir,\n\nSiân Roberts" +
           WDTK_FOOTER.format(address="request-2001-c0ffee01@whatdotheyknow.com", force=FORCE))
build("cy-complaint", "unsure", "a complaint in Welsh that asks for nothing",
      sender="Gareth Evans <gareth.evans@btinternet.com>", subject="Cwyn",
      text="Annwyl Syr,\n\nHoffwn gwyno am ymddygiad swyddog yn y dref ddoe. Roedd yn "
           "anghwrtais iawn.\n\nGareth Evans")

# -- forwarded by colleagues ---------------------------------------------------------------

build("fwd-inline-gmail-style", "new_request", "a colleague forwards a request inline",
      sender="PC Ann Lee <ann.lee@exampleshire.police.uk>", subject="Fwd: FOI request",
      message_id=m365_id("fwd-inline"),
      text="Hi FOI team, this came to the front desk inbox - can you deal with it?\n\nAnn\n\n"
           "---------- Forwarded message ---------\nFrom: Paul Newman <paul.newman@gmail.com>\n"
           "Date: Fri, 30 Oct 2026 at 16:12\nSubject: FOI request\nTo: <frontdesk@exampleshire"
           ".police.uk>\n\nDear Sir,\n\nUnder the Freedom of Information Act please send me the "
           "number of burglaries reported in Exampletown in 2025.\n\nPaul Newman\n")
build("fwd-inline-outlook-style", "new_request", "a colleague forwards in Outlook's style",
      sender="Insp Raj Singh <raj.singh@exampleshire.police.uk>", subject="FW: request",
      message_id=m365_id("fwd-outlook"),
      text="Please see below.\n\nRaj\n\nFrom: Mary Baker <mary.baker@outlook.com>\nSent: 28 "
           "October 2026 11:05\nTo: Singh Raj <raj.singh@exampleshire.police.uk>\nSubject: "
           "request\n\nDear Inspector Singh,\n\nCould you provide the number of officers "
           "based at Northfield station, and how many vacancies there are?\n\nMary Baker\n")
inner = EmailMessage()
inner["From"] = "Alan Cole <alan.cole@gmail.com>"
inner["To"] = "Chief Constable <chief.constable@exampleshire.police.uk>"
inner["Subject"] = "Freedom of Information request - helicopter"
inner["Date"] = "Thu, 29 Oct 2026 19:40:00 +0000"
inner["Message-ID"] = gmail_id("fwd-attached-inner")
inner.set_content("Dear Chief Constable,\n\nPlease send me the number of hours the National "
                  "Police Air Service flew over Exampleshire in 2025, and the cost charged to "
                  "the force.\n\nYours faithfully,\nAlan Cole\n")
build("fwd-attached", "new_request", "a colleague forwards a request as an attachment",
      sender="Chief Constable's Office <cco@exampleshire.police.uk>",
      subject="Fwd: Freedom of Information request - helicopter",
      text="Forwarded for action, please.\n", attach_message=inner)
build("fwd-internal-chat", "unsure", "a colleague forwards internal mail that is no request",
      sender="Sgt Tom Reid <tom.reid@exampleshire.police.uk>", subject="FW: rota",
      text="FYI\n\nFrom: Jo Walsh <jo.walsh@exampleshire.police.uk>\nSent: 27 October 2026 "
           "08:00\nTo: Reid Tom <tom.reid@exampleshire.police.uk>\nSubject: rota\n\nThe rota "
           "for next week is on the shared drive.\n")
build("colleague-question", "unsure", "a colleague's question with no case",
      sender="Claire Dunn <claire.dunn@exampleshire.police.uk>", subject="Quick question",
      text="Hi, do you know who deals with the data sharing agreement with the council?\n\n"
           "Thanks, Claire")
build("external-fwd-other", "unsure", "someone forwards another person's mail",
      sender="Kevin Shaw <kev.shaw@gmail.com>", subject="Fwd: look at this",
      text="What do you make of this?\n\n---------- Forwarded message ---------\nFrom: Bob "
           "<bob@example.net>\nDate: Tue, 27 Oct 2026 at 10:00\nSubject: meeting\nTo: Kevin "
           "<kev.shaw@gmail.com>\n\nSee you at the meeting on Thursday.\n")
build("external-fwd-own", "new_request", "a requester forwards their own request sent elsewhere",
      sender="Lena Fox <lena.fox@gmail.com>", subject="Fwd: Freedom of Information request",
      message_id=gmail_id("fwd-own"),
      text="I sent this to the wrong address last week, so here it is again.\n\n---------- "
           "Forwarded message ---------\nFrom: Lena Fox <lena.fox@gmail.com>\nDate: Mon, 26 "
           "Oct 2026 at 09:30\nSubject: Freedom of Information request\nTo: <info@example"
           "shire.gov.uk>\n\nDear Sir/Madam,\n\nPlease provide the number of hate crimes "
           "recorded by the police in Exampleshire in 2025.\n\nLena Fox\n")

# -- non-delivery reports ------------------------------------------------------------------

EXCHANGE_NDR = """From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@exampleshire.police.uk>
To: {to}
Date: Tue, 3 Nov 2026 10:02:11 +0000
Subject: Undeliverable: {subject}
Message-ID: <{mid}@LO2P265MB1234.GBRP265.PROD.OUTLOOK.COM>
Content-Language: en-GB
X-MS-Exchange-Organization-SCL: -1
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="ndr-boundary"

--ndr-boundary
Content-Type: text/plain; charset="us-ascii"

Your message to {rcpt} couldn't be delivered.

{rcpt_local} wasn't found at {rcpt_domain}.

Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'

--ndr-boundary
Content-Type: message/delivery-status

Reporting-MTA: dns;LO2P265MB1234.GBRP265.PROD.OUTLOOK.COM
Received-From-MTA: dns;LO4P265MB6590.GBRP265.PROD.OUTLOOK.COM
Arrival-Date: Tue, 3 Nov 2026 10:02:09 +0000

Final-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound

--ndr-boundary
Content-Type: message/rfc822

From: Exampleshire Constabulary FOI <foi@exampleshire.police.uk>
To: {rcpt}
Subject: {subject}
Message-ID: <177.ack.{mid}@exampleshire.police.uk>

Thank you for your request.

--ndr-boundary--
"""
for n, (rcpt, subject) in enumerate([
        ("j.smith@northfieldcouncil.gov.uk", "Your request FOI 000412/26"),
        ("old.address@brightwater-consulting.co.uk", "Acknowledgement: Request for information"),
        ("sgt.moved@exampleshire.police.uk", "Task: information needed for FOI 000415/26")]):
    local, domain = rcpt.split("@")
    raw(f"ndr-exchange-{n + 1}", "bounce", "Exchange Online non-delivery report",
        EXCHANGE_NDR.format(to=FOI, subject=subject, rcpt=rcpt, rcpt_local=local,
                            rcpt_domain=domain, mid=f"NDR{n}A9F2C1"))

POSTFIX_NDR = """Return-Path: <>
Delivered-To: foi@exampleshire.police.uk
Date: Wed, 4 Nov 2026 07:33:10 +0000 (GMT)
From: MAILER-DAEMON@mx{n}.mailhost-example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: foi@exampleshire.police.uk
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="7A2B3C4D5E.1730705590/mx{n}"
Message-Id: <20261104073310.7A2B3C4D5E@mx{n}.mailhost-example.net>

This is a MIME-encapsulated message.

--7A2B3C4D5E.1730705590/mx{n}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx{n}.mailhost-example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{rcpt}>: host mail.example-isp.net[192.0.2.10] said: 550 5.2.2 {rcpt}:
    Mailbox full (in reply to RCPT TO command)

--7A2B3C4D5E.1730705590/mx{n}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx{n}.mailhost-example.net
Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.2.2

--7A2B3C4D5E.1730705590/mx{n}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Exampleshire Constabulary FOI <foi@exampleshire.police.uk>
To: {rcpt}
Subject: Your request FOI 000{n}21/26
Message-ID: <postfix{n}.ack@exampleshire.police.uk>

--7A2B3C4D5E.1730705590/mx{n}--
"""
for n, rcpt in enumerate(["pat.murphy@example-isp.net", "s.ward@example-isp.net",
                          "requester99@example-isp.net"], start=1):
    raw(f"ndr-postfix-{n}", "bounce", "Postfix non-delivery report",
        POSTFIX_NDR.format(n=n, rcpt=rcpt))

raw("ndr-no-from", "bounce", "a bounce with no From address, Return-Path MAILER-DAEMON", """
Return-Path: <MAILER-DAEMON@relay.example-isp.net>
From: Mail Delivery System
To: foi@exampleshire.police.uk
Subject: Delivery failure
Date: Thu, 5 Nov 2026 12:00:00 +0000
Message-ID: <nofrom.1@relay.example-isp.net>
Content-Type: text/plain

Your message could not be sent. The remote server gave up after 5 days.
""")
raw("ndr-bare-word", "bounce", "a bounce whose From is a bare word", """
Return-Path: <>
From: postmaster
To: foi@exampleshire.police.uk
Subject: Returned mail
Date: Thu, 5 Nov 2026 12:10:00 +0000
Message-ID: <bare.1@relay.example-isp.net>
Content-Type: text/plain

The following message could not be delivered to its recipient.
""")
raw("ndr-delayed", "bounce", "a delay warning from Exchange", """
From: postmaster@northfieldcouncil.gov.uk
To: foi@exampleshire.police.uk
Subject: Delivery delayed: FOI 000431/26 - your request
Date: Fri, 6 Nov 2026 08:00:00 +0000
Message-ID: <delay.1@northfieldcouncil.gov.uk>
Auto-Submitted: auto-generated
Content-Type: text/plain

Delivery is delayed to these recipients or groups: records@northfieldcouncil.gov.uk
This message hasn't been delivered yet. Delivery will continue to be attempted.
""")

# -- automatic replies, with and without headers -------------------------------------------

build("ooo-exchange-headers", "auto_reply", "Exchange out-of-office with its headers",
      sender="Dr Lisa Webb <lisa.webb@exampleshire-nhs.example.uk>",
      subject="Automatic reply: Your request FOI 000417/26",
      message_id=m365_id("ooo-headers"),
      headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All",
               "X-MS-Exchange-Inbox-Rules-Loop": "lisa.webb@exampleshire-nhs.example.uk"},
      text="Thank you for your email. I am out of the office until Monday 16 November with no "
           "access to email. For urgent matters please contact the records team.")
build("ooo-exchange-no-headers", "auto_reply", "an out-of-office copied by a rule, no headers",
      sender="Mike Tanner <mike.tanner@tannerhaulage.co.uk>",
      subject="Out of Office: Acknowledgement of your request",
      text="I am currently out of the office on annual leave, returning 20 November. I will "
           "respond to your email on my return.")
build("ooo-gmail-vacation", "auto_reply", "a Gmail vacation responder",
      sender="Chris Walker <chris.walker1987@gmail.com>", subject="Re: Your request FOI 000420/26",
      headers={"Auto-Submitted": "auto-replied", "Precedence": "bulk"},
      text="Hi, I'm travelling until 14 November and will reply when I'm back.")
build("ooo-plain-away", "auto_reply", "an auto-reply with only its subject to go on",
      sender="Janet Reeves <janet.reeves@reeves-example.co.uk>", subject="Away from the office",
      text="I'm away from the office this week. Your email has not been forwarded.")
build("ooo-welsh", "auto_reply", "a bilingual out-of-office",
      sender="Gwyn Morgan <gwyn.morgan@cyngor-example.gov.wales>",
      subject="Ateb Awtomatig / Automatic reply: FOI",
      text="Rwyf allan o'r swyddfa tan ddydd Llun. I am out of the office until Monday.")
build("auto-ack-other-authority", "auto_reply", "another authority's automatic acknowledgement",
      sender="Northfield Council FOI <foi@northfieldcouncil.gov.uk>",
      subject="Thank you for your request [Ref: NBC-FOI-2026-1187]",
      headers={"Auto-Submitted": "auto-replied"},
      text="Thank you for your request for information. We aim to respond within 20 working "
           "days.\n\nNorthfield Borough Council Information Governance")

# -- read receipts -------------------------------------------------------------------------

raw("mdn-rfc8098", "auto_reply", "a read receipt (RFC 8098)", """
From: Rachel Green <rachel.green@brightwater-consulting.co.uk>
To: foi@exampleshire.police.uk
Subject: Read: Your request FOI 000419/26
Date: Tue, 3 Nov 2026 11:00:00 +0000
Message-ID: <mdn.1@brightwater-consulting.co.uk>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"

--mdn
Content-Type: text/plain

Your message
  To: rachel.green@brightwater-consulting.co.uk
  Subject: Your request FOI 000419/26
was read on 03/11/2026 11:00.

--mdn
Content-Type: message/disposition-notification

Reporting-UA: Microsoft Outlook
Final-Recipient: rfc822;rachel.green@brightwater-consulting.co.uk
Disposition: manual-action/MDN-sent-manually; displayed

--mdn--
""")
build("mdn-outlook-plain", "auto_reply", "an Outlook read receipt without a report part",
      sender="Helen Marsh <Helen.Marsh@northfieldcouncil.gov.uk>",
      subject="Read: FOI request: domestic abuse referrals",
      text="Your message\n\nTo: FOI\nSubject: FOI request: domestic abuse referrals\nSent: "
           "Monday, 2 November 2026 09:14:05 (UTC+00:00) Dublin, Edinburgh, Lisbon, London\n\n"
           "was read on Monday, 2 November 2026 10:01:44 (UTC+00:00).")
build("mdn-not-read", "auto_reply", "a 'not read' receipt",
      sender="Ian Fletcher <ian.fletcher@outlook.com>", subject="Not read: Your request",
      text="Your message\n\nTo: Ian Fletcher\nSubject: Your request\n\nwas deleted without "
           "being read on 05/11/2026 14:22.")

# -- newsletters, lists and notifications ---------------------------------------------------

build("newsletter-listheaders", "bulk", "a newsletter with List-Unsubscribe",
      sender="Police Professional <newsletter@policeprofessional-example.com>",
      subject="This week: body-worn video, recruitment and the FOI backlog",
      headers={"List-Unsubscribe": "<https://policeprofessional-example.com/unsub?u=123>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Precedence": "bulk"},
      html_part=True,
      text="Read the latest news on policing. Forces are asked for more information on "
           "recruitment than ever before.\n\nUnsubscribe | Manage preferences")
build("newsletter-ico", "bulk", "a regulator's newsletter through a mailing service",
      sender="ICO <news@updates.ico-example.org.uk>",
      subject="ICO e-newsletter: new guidance on Freedom of Information requests",
      headers={"List-Id": "ICO e-newsletter <enews.ico-example.org.uk>",
               "X-Campaign": "ico-nov-2026"},
      text="In this issue: our new guidance on responding to Freedom of Information requests, "
           "and how to request an internal review.\n\nYou are receiving this email because you "
           "subscribed to ICO updates. Unsubscribe.")
build("newsletter-no-headers", "bulk", "a supplier's newsletter without list headers",
      sender="SafeStore Archiving <info@safestore-archiving-example.co.uk>",
      subject="Winter offer: 20% off document storage",
      text="Dear customer,\n\nKeep your records safe this winter with 20% off secure document "
           "storage.\n\nCall us today on 0800 000 0000.\n\nTo stop receiving these emails, "
           "unsubscribe here.")
build("newsletter-govuk", "bulk", "a GOV.UK email alert",
      sender="GOV.UK Email Alerts <noreply@notifications.service.gov.uk-example.uk>",
      subject="Update from GOV.UK for: Freedom of Information statistics",
      headers={"List-Unsubscribe": "<https://www.gov.uk/email/unsubscribe/abc>"},
      text="Freedom of Information statistics: July to September 2026 has been published.\n\n"
           "You are getting this email because you subscribed to updates.")
build("list-post", "bulk", "a post to a practitioners' mailing list",
      sender="Dave Ellis <dave.ellis@othercounty.police.uk>",
      subject="[FOI-Practitioners] Section 40 and CCTV requests",
      headers={"List-Id": "FOI Practitioners <foi-practitioners.lists.example.org.uk>",
               "List-Post": "<mailto:foi-practitioners@lists.example.org.uk>",
               "Precedence": "list"},
      text="Hi all,\n\nHow are other forces handling requests for CCTV footage under FOI? Could "
           "you share your policy?\n\nDave")
build("teams-notification", "bulk", "a Microsoft Teams notification",
      sender="Microsoft Teams <noreply@email.teams.microsoft.com>",
      subject="You have been added to a team in Microsoft Teams",
      html_part=True,
      text="Sarah Lewis added you to the team FOI Casework.\n\nOpen Microsoft Teams\n\nThis "
           "email was sent to foi@exampleshire.police.uk by Microsoft Teams.")
build("teams-missed", "bulk", "Teams: missed messages",
      sender="Microsoft Teams <noreply@email.teams.microsoft.com>",
      subject="You have 3 new messages in FOI Casework",
      text="Sarah Lewis: can someone look at the request about drones?\n\nReply in Teams")
build("sharepoint-share", "bulk", "a SharePoint sharing notification",
      sender="SharePoint Online <no-reply@sharepointonline.com>",
      subject="Raj Singh shared the folder \"FOI 2026\" with you",
      text="Raj Singh shared a folder with you.\n\nOpen\n\nThis email is generated "
           "automatically.")
raw("calendar-invite", "bulk", "a meeting invitation to the FOI mailbox", """
From: Sarah Lewis <sarah.lewis@exampleshire.police.uk>
To: foi@exampleshire.police.uk
Subject: Invitation: FOI weekly review @ Thu 12 Nov 2026 10:00 - 10:30
Date: Mon, 9 Nov 2026 09:00:00 +0000
Message-ID: <cal.invite.1@exampleshire.police.uk>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="cal"

--cal
Content-Type: text/plain; charset=utf-8

You have been invited to FOI weekly review.

--cal
Content-Type: text/calendar; charset=utf-8; method=REQUEST

BEGIN:VCALENDAR
METHOD:REQUEST
BEGIN:VEVENT
SUMMARY:FOI weekly review
DTSTART:20261112T100000Z
END:VEVENT
END:VCALENDAR
--cal--
""")
raw("calendar-accepted", "auto_reply", "a calendar acceptance", """
From: Raj Singh <raj.singh@exampleshire.police.uk>
To: foi@exampleshire.police.uk
Subject: Accepted: FOI weekly review
Date: Mon, 9 Nov 2026 09:30:00 +0000
Message-ID: <cal.reply.1@exampleshire.police.uk>
MIME-Version: 1.0
Content-Type: text/calendar; charset=utf-8; method=REPLY

BEGIN:VCALENDAR
METHOD:REPLY
BEGIN:VEVENT
SUMMARY:Accepted: FOI weekly review
END:VEVENT
END:VCALENDAR
""")
build("docusign", "bulk", "an e-signature service notification",
      sender="DocuSign NA3 System <dse_NA3@docusign.net>",
      subject="Completed: Please DocuSign: Data sharing agreement",
      text="All parties have completed Please DocuSign: Data sharing agreement.\n\nDo Not "
           "Share This Email.")

# -- phishing, scams and spam --------------------------------------------------------------

build("phish-mailbox-quota", "spam", "phishing: mailbox quota",
      sender="IT Service Desk <it-helpdesk@exampleshire-police-uk.com>",
      subject="ACTION REQUIRED: Your mailbox storage is full",
      text="Dear user,\n\nYour mailbox quota has been exceeded and your account will be "
           "suspended. Click here to verify your account within 24 hours to keep your "
           "messages.\n\nIT Service Desk")
build("phish-shared-document", "spam", "phishing: a shared document",
      sender="Microsoft 365 <no-reply@m365-secure-docs.com>",
      subject="FOI_Request_2026.pdf has been shared with you",
      text="A colleague has shared a secure document with you. Click the link below to "
           "verify your identity and view the document.\n\nPassword expires today.")
build("phish-invoice", "spam", "phishing dressed as an invoice query",
      sender="Accounts <accounts@paypaI-billing-example.com>",
      subject="Unusual sign-in activity on your account",
      text="We detected unusual sign-in activity. Confirm your password now or your account "
           "will be closed. Click the button to verify your details.")
build("phish-ceo-fraud", "spam", "a gift-card fraud posing as the chief constable",
      sender="Chief Constable <chief.constable.office@gmail.com>",
      subject="Urgent task", headers={"Reply-To": "cc.office.private@protonmail-example.com"},
      text="Are you at your desk? I need you to purchase some gift cards for a staff "
           "award. It is a strictly confidential business transaction, kindly reply with "
           "your mobile number. Western Union is fine too.")
build("scam-419", "spam", "an advance-fee scam with Reply-To elsewhere",
      sender="Barrister John Okon <j.okon@lawfirm-example.ng>",
      subject="Confidential: inheritance of late client",
      headers={"Reply-To": "johnokon.chambers@yahoo-example.com"},
      text="Dear Friend,\n\nI am Barrister John Okon, personal attorney to a late client who "
           "died intestate. I seek your consent to present you as the next of kin and "
           "beneficiary of US$12,500,000.00 (Twelve Million Five Hundred Thousand United "
           "States Dollars). Please send me your full name and phone number.\n\nRegards")
build("scam-lottery", "spam", "a lottery scam",
      sender="UK National Promotions <claims@uk-promo-draw.example.org>",
      subject="WINNING NOTIFICATION",
      text="Your email address won GBP 850,000 in our lottery. Contact our claims agent with "
           "your details to arrange transfer of the funds.")
build("spam-flag-yes", "spam", "spam marked by SpamAssassin (X-Spam-Flag)",
      sender="Best Deals <deals@cheap-meds-example.biz>", subject="Please provide your order",
      headers={"X-Spam-Flag": "YES", "X-Spam-Status": "Yes, score=12.4 required=5.0 "
               "tests=BAYES_99,HTML_MESSAGE,URIBL_BLACK"},
      text="Please provide your order details and we will send you the information about "
           "our products.")
build("spam-status-yes", "spam", "spam marked by X-Spam-Status only",
      sender="Marketing <hello@seo-ranking-example.net>",
      subject="Can you send me the name of your web manager?",
      headers={"X-Spam-Status": "Yes, score=8.1"},
      text="Hi,\n\nCould you send me the contact details of the person who manages your "
           "website? We can get you to page one of Google.")
build("spam-scl-9", "spam", "Exchange SCL 9",
      sender="Freight Updates <info@freight-tracking-example.top>",
      subject="Request for quotation documents",
      headers={"X-MS-Exchange-Organization-SCL": "9"},
      text="Please see the attached documents and send me your best price.")
build("spam-forefront", "spam", "Exchange Online Protection marked it spam",
      sender="Funding Team <grants@public-sector-funding-example.info>",
      subject="FOI: grants available for your department",
      headers={"X-Forefront-Antispam-Report": "CIP:198.51.100.7;CTRY:US;LANG:en;SCL:6;SRV:;"
               "IPV:NLI;SFV:SPM;H:mail.example;PTR:;CAT:SPM;SFS:;DIR:INB;"},
      text="Under the Freedom of Information Act your department may qualify. Please send "
           "your bank details to receive the grant.")
build("spam-rspamd", "spam", "rspamd's X-Spam: Yes",
      sender="Crypto Club <club@crypto-returns-example.io>", subject="Information you asked for",
      headers={"X-Spam": "Yes"},
      text="Here is the information you asked for about our investment club.")
build("spam-no-verdict-seo", "spam", "unsolicited selling with no gateway verdict",
      sender="Web Growth <team@webgrowth-example.co>", subject="Quick question",
      text="Hi,\n\nAct fast: a limited time offer for public sector websites. Our risk-free "
           "SEO package is 100% guaranteed to get you more visitors.\n\nReply STOP to opt out.")
build("spam-scl-low-genuine", "new_request", "a genuine request with a clean SCL 1 verdict",
      sender="Zoe Turner <zoe.turner@gmail.com>", subject="FOI request - missing persons",
      headers={"X-MS-Exchange-Organization-SCL": "1",
               "X-Forefront-Antispam-Report": "CIP:209.85.128.1;CTRY:GB;SCL:1;SFV:NSPM;CAT:NONE"},
      text="Dear FOI team,\n\nPlease could you send me the number of missing person reports "
           "received in 2025?\n\nThanks,\nZoe Turner")

# -- suppliers, complaints and other people's business --------------------------------------

build("supplier-remittance", "unsure", "a supplier's remittance query",
      sender="Accounts Receivable <ar@tannerhaulage.co.uk>",
      subject="Remittance query - invoice number 44871",
      text="Hello,\n\nCould you please confirm when invoice number 44871 will be paid? We "
           "have not received a remittance advice.\n\nKind regards\nAccounts Team\nTanner "
           "Haulage Ltd")
build("supplier-po", "unsure", "a supplier asks for a purchase order",
      sender="Laura Quinn <laura.quinn@officesupplies-example.co.uk>",
      subject="Purchase order for toner",
      text="Hi,\n\nPlease send me the purchase order number for last week's toner delivery so "
           "we can raise the invoice.\n\nThanks\nLaura")
build("supplier-statement", "unsure", "a statement of account",
      sender="Credit Control <credit@uniforms-example.co.uk>",
      subject="Statement of account - November",
      text="Please find attached your statement of account. Two items are overdue.",
      attachments=(("statement.pdf", "application/pdf", b"%PDF-1.4\n"),))
build("complaint-officer", "unsure", "a complaint that asks for no recorded information",
      sender="Margaret Hughes <m.hughes@btinternet.com>", subject="Complaint",
      text="I wish to make a formal complaint about the officer who attended my house on "
           "Saturday. He was rude and did not take my statement.\n\nMargaret Hughes")
build("complaint-noise", "unsure", "a complaint about a neighbour",
      sender="Brian Todd <brian.todd@gmail.com>", subject="Noisy neighbours again",
      text="I am writing to complain about my neighbours at number 14 who play music until "
           "3am every weekend. Nobody from the police has come out.")
build("crime-report", "unsure", "someone reporting a crime to the wrong mailbox",
      sender="Nina Patel <nina.p@outlook.com>", subject="Bike stolen",
      text="Hi, my bike was stolen from outside the station yesterday. It's a blue Raleigh. "
           "What do I do?")
build("press-comment", "unsure", "a journalist asks for a comment, not information held",
      sender="Nadia Ali <nadia.ali@thecourier-example.co.uk>", subject="Comment by 4pm?",
      text="Hi, we're running a story tonight on the closure of Northfield front counter. Is "
           "the force willing to comment?\n\nNadia")
build("thanks-no-case", "unsure", "a thank-you that threads onto nothing",
      sender="Mrs P Green <pgreen44@aol.com>", subject="Thank you",
      text="Just to say thank you to the officers who helped my father last week.")
build("job-enquiry", "unsure", "a recruitment enquiry",
      sender="Tyler Brooks <tyler.brooks@gmail.com>", subject="Special constable",
      text="Hello, how do I apply to become a special constable?")

# -- replies into threads we do not know, references we never issued ------------------------

build("reply-unknown-thread", "unsure", "a reply whose In-Reply-To we never sent",
      sender="Paul Newman <paul.newman@gmail.com>",
      subject="Re: Your request for information", message_id=gmail_id("unknown-thread"),
      headers={"In-Reply-To": "<5f1e2d3c.ack@council-elsewhere.gov.uk>",
               "References": "<5f1e2d3c.ack@council-elsewhere.gov.uk>"},
      text="Thank you. Please could you also send me the figures for 2024?\n\nOn Mon, 2 Nov "
           "2026 at 10:00, Council FOI <foi@council-elsewhere.gov.uk> wrote:\n> Thank you for "
           "your request for information.\n> Your reference is CE-2026-0042.\n")
build("reply-re-subject-no-headers", "unsure", "a 'RE:' subject with no thread headers",
      sender="Tom Evans <tom.evans@gmail.com>", subject="RE: Freedom of Information request",
      text="Please send me the rest of the information as soon as possible.\n\n"
           "-----Original Message-----\nFrom: FOI <foi@othercounty.police.uk>\nSent: 28 "
           "October 2026 10:00\nTo: Tom Evans\nSubject: Freedom of Information request\n\n"
           "Thank you for your request.\n")
build("reply-aw-german-client", "unsure", "an 'AW:' reply from a German mail client",
      sender="Klaus Weber <k.weber@example.de>", subject="AW: Request for information",
      text="Dear colleague, could you please provide the documents mentioned?\n\nMit "
           "freundlichen Grüßen\nKlaus Weber")
build("reply-sv-swedish-client", "unsure", "an 'SV:' reply from a Swedish mail client",
      sender="Anna Berg <anna.berg@example.se>", subject="SV: FOI request",
      text="Thank you, please send me the figures as well.")
build("reference-never-issued", "unsure", "quotes a reference of our format we never issued",
      sender="Gail Turner <gail.turner@gmail.com>", subject="Chasing FOI 009999/25",
      text="Dear FOI Team,\n\nI am still waiting for a response to my request FOI 009999/25 "
           "about speed cameras. Please could you provide the information?\n\nGail Turner")
build("reference-in-body-only", "unsure", "a chaser with our reference format in the body",
      sender="Harry Lloyd <harry.lloyd@outlook.com>", subject="Still waiting",
      text="Hello, my reference is FOI 008888/26. When will I get the information?\n\nHarry")

# -- other authorities' replies ------------------------------------------------------------

build("authority-reply-response", "unsure", "another authority's response, sent here in error",
      sender="Information Rights Team <foi@othercounty.police.uk>",
      subject="Freedom of Information request 2026-0917 - response",
      text="Dear Mr Evans,\n\nThank you for your request for information received on 12 "
           "October 2026. Your request has been considered under the Freedom of Information "
           "Act 2000.\n\nPlease find attached our response.\n\nYours sincerely\nInformation "
           "Rights Team\nOthercounty Police",
      attachments=(("response.pdf", "application/pdf", b"%PDF-1.4\n"),))
build("authority-ack-no-header", "unsure", "another authority's acknowledgement, no header",
      sender="Records Team <records@northfieldcouncil.gov.uk>",
      subject="Your Freedom of Information request",
      text="Dear Sir/Madam,\n\nWe have received your request for information and it has been "
           "logged with reference NBC/2026/1187. We will respond within 20 working days.\n\n"
           "Records Team")
build("authority-ack-our-staff", "unsure", "an acknowledgement to a request our staff made",
      sender="FOI <foi@regional-fire-example.gov.uk>",
      subject="FOI Request - Acknowledgement",
      text="Thank you for your email. Your request is being processed under the Freedom of "
           "Information Act 2000 and our reference is RFS-FOI-551.\n\nRegards\nFOI Officer")
build("authority-transfer", "new_request", "another authority transfers a request to us (s45)",
      sender="FOI Team <foi@northfieldcouncil.gov.uk>",
      subject="Transferred FOI request - police matters",
      text="Dear colleagues,\n\nThe requester below has agreed that we transfer this request "
           "to you under the section 45 Code of Practice.\n\nRequester: Ruth Hall, "
           "ruth.hall@gmail.com\n\nRequest: Please provide the number of anti-social "
           "behaviour reports made to the police about Northfield Park in 2025.\n\nRegards\n"
           "Northfield Council FOI Team")

# -- machines that no rule above names -----------------------------------------------------

build("fax-notice", "unsure", "a fax-to-email notice: the fax may be a request",
      sender="Fax Server <fax@exampleshire.police.uk>", subject="Fax from 01632960999",
      text="A fax has arrived from remote ID '01632960999'.\nPages: 2\n",
      attachments=(("fax.pdf", "application/pdf", b"%PDF-1.4\n"),))
raw("from-no-domain", "unsure", "a From without a domain", """
From: Jane Requester <jane>
To: foi@exampleshire.police.uk
Subject: Freedom of Information request - parking fines
Date: Mon, 2 Nov 2026 10:00:00 +0000
Message-ID: <nodomain.1@example.net>
Content-Type: text/plain

Please provide the number of parking fines issued by the force in 2025.
""")
raw("from-localhost", "unsure", "a From at a host with no domain", """
From: webmaster@localhost
To: foi@exampleshire.police.uk
Subject: FOI request
Date: Mon, 2 Nov 2026 10:05:00 +0000
Message-ID: <localhost.1@example.net>
Content-Type: text/plain

Please send me the force's budget for 2026.
""")
raw("from-empty", "unsure", "no From at all", """
To: foi@exampleshire.police.uk
Subject: Request
Date: Mon, 2 Nov 2026 10:07:00 +0000
Message-ID: <nofrom.2@example.net>
Content-Type: text/plain

How many officers work in Exampletown? Please provide the figures.
""")
build("noreply-webform", "unsure", "a web form's copy from an address that takes no replies",
      sender="Website <no-reply@forms-example-hosting.com>",
      subject="Contact form: FOI request",
      text="Name: Carl Dean\nEmail: (not given)\nMessage: Please provide the number of "
           "speed cameras in Exampleshire.")


def write(folder: Path, labels: Path, written: list) -> None:
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    rows = []
    for name, label, note, message in written:
        (folder / f"{name}.eml").write_bytes(message.as_bytes(policy=SMTP))
        rows.append({"file": f"{name}.eml", "label": label, "note": note})
    labels.parent.mkdir(exist_ok=True)
    with labels.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "label", "note"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} messages to {folder}")


def main() -> None:
    sys.path.insert(0, str(HERE))
    import holdout  # written after the rules, to check them on mail they were not fitted to

    development = list(messages)
    messages.clear()
    holdout.write_all(build, raw, m365_id, gmail_id)
    first = list(messages)
    messages.clear()
    holdout.write_second(build, raw, m365_id, gmail_id)
    write(OUT, LABELS, development)
    write(HERE / "holdout", HERE / "labels" / "holdout.csv", first)
    write(HERE / "holdout-2", HERE / "labels" / "holdout-2.csv", list(messages))


if __name__ == "__main__":
    main()
