"""Does the new text ask for recorded information, and under which law?

FOIA s8 asks little of a request: in writing, with a name and an address for
correspondence, describing the information wanted. So a request need not say
"Freedom of Information"; but a word like "information" or "document" anywhere in
a message is not a request either. A message is a request when its *new* text
names the law, or asks for something (a request phrase) that is recorded
information (an object), in English or in Welsh. Words that only another
authority's reply would use ("Thank you for your request", "our reference") make
it no request of ours.
"""

from __future__ import annotations

import re

from foidesk.calendar import Regime

NAMED_LAW = re.compile(
    r"freedom of information|\bfoi(?:a|sa)?\b|environmental information regulations|"
    r"\beirs?\b|subject access|data protection act|\bgdpr\b|article 15|right of access|"
    r"\bsar\b|rhyddid gwybodaeth|cais am wybodaeth|gwybodaeth amgylcheddol|"
    r"mynediad at ddata|hawl mynediad|diogelu data",
    re.IGNORECASE)
# What a question asks for when it asks for data: "What was the average ...?"
DATA = re.compile(
    r"\bhow many\b|\bhow much\b|\bhow often\b|\bnumbers? of\b|\btotal\b|\baverage\b|"
    r"\bproportion\b|\bpercentage\b|\brates?\b|\bamounts?\b|\bcosts?\b|\bspen[dt]\b|"
    r"\bbudgets?\b|\bfigures?\b|\bstatistics\b|\bbreakdown\b|\bfaint o\b|\bsawl\b|"
    r"\bnifer\b|\b(?:c|g)yfanswm\b|\bcyfartaledd\b|\b(?:c|g)anran\b|\b(?:c|g)yfradd\b|"
    r"\b(?:c|g)ost(?:au)?\b|\b(?:g|)wariant\b|\b(?:c|g)yllideb\b|\bffigurau\b|\bystadegau\b",
    re.IGNORECASE)
# "Please provide ...", "Please send ..." opening a sentence: in an FOI mailbox, a request.
OPEN_ASK = re.compile(r"(?:^|[.!?:]\s+|\n)\s*(?:please|kindly)\s+(?:could you\s+|can you\s+)?"
                      r"(?:provide|supply|disclose|release)\b", re.IGNORECASE)
# "number of ... please", "copies of ... please": a request without a request verb.
ASKED_THING = re.compile(r"\b(?:numbers?|list|cop(?:y|ies)|details|breakdown|figures|total|"
                         r"amount|records)\s+of\b", re.IGNORECASE)
PLEASE = re.compile(r"\bplease\b|\bplis\b|\bos gwelwch yn dda\b|\bdiolch\b", re.IGNORECASE)
# A question asking for a fact: "What was the average time ...?", "Which roads ...?"
QUESTION = re.compile(
    r"(?:^|[.!?:]\s+|\n)\s*(?:\d+[.)]\s*)?(?:what|which|how|when|where|who|is|are|was|were|does|"
    r"do|did|has|have|had|"
    # Welsh: how many, which, what, when, where, who, is there, does
    r"faint|sawl|pa|beth|pryd|ble|pwy|a oes|a yw|a ydy|a ydych|a wnaeth|oes|ydy)\b"
    r"[^?\n]{8,300}\?", re.IGNORECASE)
ASKS = re.compile(
    r"(?:^|[.!?:]\s+|\n)\s*(?:please|kindly)\s+(?:could you\s+|can you\s+)?(?:provide|supply|"
    r"disclose|release|send)\b[^.?\n]{3,}|"
    r"\b(?:please|kindly|could you|can you|would you)\b[^.?\n]{0,40}?\b(?:provide|send|supply|"
    r"disclose|release|forward)\b[^.?\n]{0,12}?\b(?:me|us)\b|"
    r"\b(?:please|kindly|could you|can you|would you|will you|(?:i would|i'd|i ?am|we would|"
    r"we'd) be (?:most |very )?grateful if you (?:could|would))\b[^.?\n]{0,40}?\b"
    r"(?:provide|send|supply|disclose|release|tell|confirm|let me (?:know|have|see)|share|"
    r"forward|give|list|state|advise|inform)\b|"
    r"\bi (?:would|'d|wish to|want to|am writing to|write to) (?:like to )?(?:request|"
    r"ask for|obtain|receive|see|know|have|find out)\b|"
    r"\bi(?: would|'d) like (?:a copy|copies|to (?:request|know|see|obtain|receive|ask))|"
    r"\bi (?:would|'d) (?:also |further )?like (?:the|a|an|all|any|details|information|"
    r"copies|figures|data|records|a list|a breakdown|confirmation)\b|"
    r"\bi (?:want|need) (?:a copy|copies|the|all|any|to see|to know|to obtain|a list)\b|"
    r"\b(?:i|we) (?:would be|am|are|'d be) (?:very |most )?interested (?:to know|to see|in "
    r"(?:seeing|obtaining|receiving|knowing))\b|"
    r"\bi (?:wonder|wondered|was wondering) (?:if|whether) you (?:could|would|might|can)\b|"
    r"\b(?:is it|would it be) possible (?:to|for you to|for me to) (?:get|obtain|have|see|"
    r"provide|send|receive)\b|\b(?:could|can|may) (?:i|we) (?:please )?(?:have|get|obtain|see|"
    r"request|receive)\b|"
    r"\bi (?:hereby )?request\b|\bmy request is\b|\brequesting (?:a copy|copies|the|all|any|"
    r"information|details)\b|"
    r"\bhow many\b|\bhow much\b|\bwhat (?:is|was|were|are) the (?:total|number|amount|cost)\b|"
    r"\ba (?:copy|list|breakdown) of\b|"
    r"\ba fyddech (?:chi )?(?:cystal|gystal)|\bhoffwn (?:gael|wybod|ofyn|weld|dderbyn)|"
    r"\bfaint o\b|\bsawl\b|\bcopi o\b|\brhestr o\b|\bgofynnaf\b|\bdarparwch\b|\banfonwch\b|"
    # Welsh: could you, I would be grateful if, let me know, I am asking for, I wish to have
    r"\b(?:a )?(?:allech|allwch|gallech|gallwch|fedrwch|fedrech) chi\b|"
    r"\bbyddwn yn ddiolchgar (?:pe baech|petaech|os)\b|\brhowch wybod\b|"
    r"\b(?:rwy['’]?n|rydw i['’]?n|rwyf yn|yr wyf yn) gofyn am\b|"
    r"\b(?:rwyf|rydw i|dw i) (?:am|eisiau) (?:gael|weld|wybod|derbyn)\b|"
    r"\b(?:dymunaf|carwn|licien i|hoffwn i) (?:gael|wybod|weld|dderbyn|ofyn)\b",
    re.IGNORECASE)
OBJECTS = re.compile(
    r"\binformation\b|\bdata\b|\bfigures?\b|\bstatistics\b|\brecords?\b|"
    r"\bcop(?:y|ies)\b|\bdocuments?\b|\bdetails\b|\bbreakdown\b|\btotal\b|\bpolic(?:y|ies)\b|"
    r"\bprocedures?\b|\bguidance\b|\breports?\b|\bminutes\b|\bcontracts?\b|\bspend(?:ing)?\b|"
    r"\bcosts?\b|\bbudgets?\b|\bcorrespondence\b|\blist\b|\bhow many\b|"
    r"\bhow much\b|\bamount\b|\bfaint o\b|\bsawl\b|\bassessments?\b|\baudits?\b|"
    r"\binvoices?\b|\bpayments?\b|"
    r"\bpersonal data\b|\bcctv\b|\bfootage\b|\bnotes?\b|\bfiles?\b|\bplans?\b|\bmaps?\b|"
    r"\bresults\b|\bfindings\b|\blogs?\b|\bregisters?\b|\bagreements?\b|\bstrateg(?:y|ies)\b|"
    r"\btraining\b|\bmaterials?\b|\bphotographs?\b|\brecordings?\b|\bvideos?\b|\bletters?\b|"
    r"\bagendas?\b|\bbriefings?\b|\bsubmissions?\b|\bevidence\b|\banalys[ie]s\b|"
    r"\bsurveys?\b|\breturns\b|\bcorrespondence\b|\bschedules?\b|\blocations?\b|"
    r"\baverage\b|\bproportion\b|\bpercentage\b|\brates?\b|"
    r"\blocations?\b|\bnames? of\b|\bnumbers? of\b|\bamounts?\b|"
    # Welsh, with the mutated forms a noun takes after "y", "o", "am", "fy" ("yr wybodaeth",
    # "rhestr o'r", "copi o'r ddogfen", "fanylion").
    r"\b(?:g|)wybodaeth\b|\bffigurau\b|\bystadegau\b|\b(?:c|g|ch|ngh)ofnod(?:ion)?\b|"
    r"\b(?:d|dd|nh)ogfen(?:nau)?\b|\b(?:m|f)anylion\b|\b(?:p|b|ph|mh)olis(?:i|ïau)\b|"
    r"\b(?:c|g|ch|ngh)ost(?:au)?\b|\b(?:g|)wariant\b|\b(?:c|g|ch|ngh)yfanswm\b|\bnifer\b|"
    r"\b(?:rh|r)estr(?:au)?\b|\b(?:c|g|ch|ngh)op(?:i|ïau)\b|\badroddiad(?:au)?\b|"
    r"\b(?:c|g|ch|ngh)yllideb\b|\b(?:c|g|ch|ngh)ontract(?:au)?\b|\bohebiaeth\b|"
    r"\bgohebiaeth\b|\b(?:c|g|ch|ngh)ynllun(?:iau)?\b|\basesiad(?:au)?\b|"
    r"\b(?:c|g|ch|ngh)anllawiau\b|\b(?:t|d|th|nh)aliadau\b|\banfonebau\b|\bffeiliau\b|"
    r"\b(?:ll|l)uniau\b|\bmapiau\b|\b(?:c|g)ofrestr\b|\b(?:c|g|ch|ngh)ofnodion\b",
    re.IGNORECASE)
LAW_REQUEST = re.compile(
    r"\b(?:foi|foia|foisa|eir|sar|freedom of information|environmental information|"
    r"subject access|data protection)(?: act)?(?: \d{4})?(?: \(?scotland\)?)?"
    r"(?: regulations)?(?: \d{4})? request\b|"
    r"\b(?:request|requests|asking|ask) (?:\w+ ){0,3}under (?:the )?(?:terms of the )?"
    r"(?:freedom of information|foi|environmental information|data protection|section \d|"
    r"s\.? ?\d|article 15|uk gdpr|gdpr|eir)|"
    r"\bunder (?:the )?(?:freedom of information|foi|environmental information regulations|"
    r"data protection act|uk gdpr|article 15)[^.\n]{0,80}\b(?:request|provide|disclose|send|"
    r"supply|copy|copies)\b|"
    r"\bcais (?:rhyddid gwybodaeth|am wybodaeth|gwrthrych am wybodaeth)\b|"
    r"\bo dan ddeddf rhyddid gwybodaeth",
    re.IGNORECASE)
# Mail about the authority's business with a supplier or a customer, not a request.
BUSINESS = re.compile(
    r"\binvoice (?:number|no\.?|ref)|\bremittance\b|\bpurchase order\b|\bpo number\b|"
    r"\bstatement of account\b|\bpayment (?:run|advice|terms|reminder)\b|"
    r"\boverdue (?:invoice|payment|balance)\b|\bcredit note\b|\b(?:our|your) invoice\b|"
    r"\bsort code\b|\bbank details\b|\bquotation (?:for|ref)\b",
    re.IGNORECASE)
# Asking the reader for their own credentials or details: phishing and selling.
YOUR_DETAILS = re.compile(
    r"\b(?:send|provide|give|confirm|update|verify|enter|reply with)\b[^.?\n]{0,20}\byour\s+"
    r"(?:full |personal |contact |banking |bank |account |card |login |payment )?"
    r"(?:bank|account|card|login|password|credentials|personal details|contact details|"
    r"details|full name|name and address|phone number|mobile number|home address|"
    r"date of birth|cv|order|payment|email address|postcode)\b", re.IGNORECASE)
COMPLAINT = re.compile(
    r"\bi (?:wish|want|would like) to (?:make |raise |lodge |submit )?(?:a |an )?"
    r"(?:formal )?complain|\bformal complaint\b|\bi am (?:writing to )?complain|"
    r"\bthis is a complaint\b|\bi(?:'m| am) (?:disgusted|appalled|furious)\b|"
    r"\bcwyn ffurfiol\b|\bhoffwn gwyno\b",
    re.IGNORECASE)
# Another authority's answer or acknowledgement, forwarded or sent here by mistake.
AUTHORITY_REPLY = re.compile(
    r"thank you for your (?:recent )?(?:request|e-?mail|enquiry|application|correspondence)|"
    r"your (?:request|enquiry) (?:for information )?(?:has been|was|is being) "
    r"(?:received|logged|registered|passed|processed|considered)|"
    r"we (?:have )?received your (?:request|enquiry)|"
    r"(?:we|i) (?:will|aim to|shall) (?:respond|reply) (?:to you )?(?:within|by|promptly)|"
    r"(?:our|your) reference (?:number )?(?:is|:)|we are writing (?:to you )?(?:in response|"
    r"to respond|regarding your request)|in response to your (?:request|e-?mail|enquiry)|"
    r"(?:please find|we enclose|attached is) (?:our|the) response|"
    r"(?:has|have) (?:now )?been (?:considered|processed) under the freedom of information",
    re.IGNORECASE)
REVIEW = re.compile(
    r"internal review|review (?:of )?(?:your|the|this) (?:decision|response|refusal|handling)|"
    r"appeal (?:against|your)|requirement for review|request (?:a|an) review|"
    r"adolygiad mewnol|adolygu['’]?r (?:penderfyniad|ymateb)|gofyn am adolygiad|"
    r"\bapelio (?:yn erbyn|i)\b|\bailystyried (?:eich|y|'r) (?:penderfyniad|ymateb)\b",
    re.IGNORECASE)
# DPA 2018 s164A: a data subject's complaint to the controller about their request.
DP_COMPLAINT = re.compile(
    r"\bcomplain(?:t|ts|ing)?\b|section 164A|s\.?\s?164A|not (?:happy|satisfied) with "
    r"(?:your|the) (?:response|handling|reply)|cwyn\b|gwyno\b",
    re.IGNORECASE)
WITHDRAWAL = re.compile(
    r"\bwithdraw|no longer (?:require|need|want)|cancel (?:my|this|the) request|"
    r"please (?:close|cancel)|"
    # Welsh, with the soft mutation of "tynnu" (to withdraw) and "canslo" after "hoffwn",
    # "gallwch": "hoffwn dynnu fy nghais yn ôl", "gallwch ganslo'r cais".
    r"\b(?:t|d|nh)ynnu['’]?(?:r| fy) (?:nghais|cais)|\b(?:t|d|nh)ynnu['’]?n [oô]l\b|"
    r"\b(?:c|g|ch|ngh)anslo['’]?(?:r| fy) (?:nghais|cais)|"
    r"nid oes (?:arnaf )?angen (?:y |yr )?(?:wybodaeth|hyn|hynny)(?: arnaf)? (?:bellach|mwyach)|"
    r"nid oes angen (?:y |yr )?(?:wybodaeth|hyn) arnaf|"
    r"\b(?:does|nid oes) dim angen (?:y |yr )?(?:wybodaeth|hyn|hynny)\b|"
    r"\bcaewch (?:y cais|fy nghais)\b|\bcanslwch (?:y cais|fy nghais)\b",
    re.IGNORECASE)
RESEND = re.compile(
    r"\b(?:i am|i'm|am) (?:re-?sending|re-?submitting|sending again)|\bresend(?:ing)?\b|"
    r"\bre-?submit|\bsent (?:this|it|my request) (?:before|earlier|previously|already)|"
    r"\bhave not (?:had|received) (?:a|an|any) (?:reply|response|acknowledge?ment)|"
    r"\bchasing (?:my|this) request|\bfollowing up (?:on )?my (?:earlier|previous) request|"
    r"\bailanfon|\banfon eto",
    re.IGNORECASE)
SAR_SIGNS = re.compile(
    r"subject access|my (?:own )?personal (?:data|information)|"
    r"(?:data|information) (?:that )?you hold (?:about|on) me|article 15|\bSAR\b|"
    r"right of access|cais gwrthrych am wybodaeth|fy nata personol|"
    r"gwybodaeth (?:bersonol )?(?:amdanaf|sydd gennych amdanaf)",
    re.IGNORECASE)
EIR_SIGNS = re.compile(
    r"environmental information|\beirs?\b|environment|pollution|air quality|emission|"
    r"contaminat|flood|waste|recycl|landfill|noise|water quality|sewage|biodiversity|climate|"
    r"pesticide|planning application|tree preservation|energy (?:use|consumption)|carbon|"
    r"fly[- ]?tipping|asbestos|amgylchedd|llygredd|llifogydd|gwastraff|ailgylchu",
    re.IGNORECASE)


# A subject that says what the message is: "Request for information", "Information request".
SUBJECT_REQUEST = re.compile(
    r"\b(?:request(?:s)? for (?:information|data|records|figures|statistics|copies)|"
    r"information request|data request|records request|cais am ddata)\b", re.IGNORECASE)
# "Please find attached my request": the request is in the attachment.
ATTACHED_REQUEST = re.compile(
    r"\b(?:attached|enclosed)\b[^.\n]{0,60}\b(?:request|questions|cais)\b|"
    r"\b(?:request|questions|cais)\b[^.\n]{0,60}\b(?:attached|enclosed)\b", re.IGNORECASE)


def request_reason(subject: str, text: str, attachments: int = 0) -> str | None:
    """Why the new text reads as a request for recorded information, or None."""
    words = f"{subject}\n{text}"
    if found := LAW_REQUEST.search(words):
        return f"a request under the law ({found.group(0)!r})"
    if attachments and (found := ATTACHED_REQUEST.search(text)):
        return f"says the request is attached ({found.group(0)!r})"
    if (found := SUBJECT_REQUEST.search(subject)) and (
            OBJECTS.search(text) or ASKED_THING.search(text) or "?" in text):
        return f"its subject says it is a request ({found.group(0)!r})"
    ask = ASKS.search(text) or ASKS.search(subject)
    if ask and OPEN_ASK.match(ask.group(0)):
        return f"asks ({' '.join(ask.group(0).split())[:60]!r})"
    if ask:
        span = text[ask.start():ask.end() + 300] if ask.re is ASKS else subject
        if thing := OBJECTS.search(span) or OBJECTS.search(ask.group(0)):
            return f"asks ({ask.group(0).strip()!r}) for {thing.group(0)!r}"
    if (thing := ASKED_THING.search(text)) and PLEASE.search(text):
        return f"asks for {thing.group(0)!r} ... with a 'please'"
    for question in QUESTION.finditer(text):
        if thing := DATA.search(question.group(0)):
            shown = " ".join(question.group(0).split())[:60]
            return f"asks a question ({shown!r}) about {thing.group(0)!r}"
    law = NAMED_LAW.search(words)
    if law and (ask or OBJECTS.search(text)) and not COMPLAINT.search(words):
        return f"names the law ({law.group(0)!r})" + (
            f" and asks ({ask.group(0)!r})" if ask else "")
    return None


def not_a_request_reason(subject: str, text: str) -> str | None:
    """Signs that a message asking for something is business mail or a complaint: those
    go to the team unless they name the law."""
    words = f"{subject}\n{text}"
    if NAMED_LAW.search(words):
        return None
    if found := BUSINESS.search(words):
        return f"reads as business mail with a supplier or customer ({found.group(0)!r})"
    if found := YOUR_DETAILS.search(words):
        return f"asks for the reader's own details ({found.group(0)!r}), as phishing and " \
               "selling do"
    if found := COMPLAINT.search(words):
        return f"a complaint that asks for no recorded information ({found.group(0)!r})"
    return None


def authority_reply_reason(text: str) -> str | None:
    found = AUTHORITY_REPLY.search(text)
    return f"reads as an authority's reply ({found.group(0)!r})" if found else None


def suggest_regime(subject: str, text: str, scottish: bool) -> tuple[Regime, str]:
    """The regime a new request most likely falls under; an officer can change it."""
    words = f"{subject}\n{text[:20000]}"
    if SAR_SIGNS.search(words):
        return Regime.SAR, "asks for the requester's own personal data (UK GDPR art. 15)"
    if EIR_SIGNS.search(words):
        return Regime.EIR, "environmental subject matter (EIR reg 2(1))"
    if scottish:
        return Regime.FOISA, "a Scottish public authority (FOISA)"
    return Regime.FOIA, "a request for recorded information (FOIA s1)"
