"""Who submitted: individual, organisation, anonymous or unknown, and the organisation's name when stated.

The rule, in order (first match wins; README "Respondent type" repeats it for users):
1. Form field: a respondent-type answer containing a known word (個人/individual, 團體/organisation, 匿名/anonymous).
2. A stated organisation name (form field, or a letterhead/signature line naming a body such as "... Association",
   "... Limited", "...協會", "...有限公司") means "organisation", with that name.
3. E-mail sender: no sender, or a sender named "anonymous"/"匿名", means "anonymous"; a personal webmail domain
   (gmail.com, yahoo.com.hk, netvigator.com, ...) means "individual"; a domain of an organisation type
   (.org, .org.hk, .gov.hk, .edu.hk, .ngo, ...) means "organisation" (name only when rule 2 found one).
4. Otherwise "unknown": a company e-mail address alone does not show the writer speaks for the company.
"""

from __future__ import annotations

import re

RESPONDENT_WORDS = {
    "individual": ("individual", "person", "personal", "member of the public", "個人", "个人", "市民"),
    "organisation": (
        "organisation",
        "organization",
        "company",
        "group",
        "association",
        "團體",
        "团体",
        "機構",
        "机构",
        "組織",
        "组织",
        "公司",
    ),
    "anonymous": ("anonymous", "prefer not to say", "匿名", "不願透露", "不愿透露"),
}
# Words that end (Chinese) or appear in (English) the name of a body; a short line with one is a letterhead cue.
ORG_NAME = re.compile(
    r"(?:\b(?:association|society|federation|council|chamber|institute|institution|union|foundation|alliance|"
    r"coalition|limited|ltd|inc|corporation|company|committee|trust|centre|center|party|league|network|"
    r"university|college|hospital|church)\b\.?)"
    r"|(?:協會|学会|學會|商會|商会|聯會|联会|工會|工会|基金會|基金会|有限公司|公司|委員會|委员会|聯盟|联盟|關注組|"
    r"关注组|中心|學院|学院|大學|大学|醫院|医院|教會|教会|政黨|總會|总会|協進會|社)$",
    re.IGNORECASE,
)
SENTENCE_MARKS = re.compile(r"[，。！？；!?;]")  # an ASCII comma stays: "Acme, Inc."
LETTERHEAD_LINES = 4  # a letterhead sits in the first few lines; a signature in the last few
MAX_ORG_NAME_CHARS = 80
WEBMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.com.hk",
        "yahoo.com.tw",
        "hotmail.com",
        "hotmail.com.hk",
        "outlook.com",
        "live.com",
        "live.hk",
        "icloud.com",
        "me.com",
        "protonmail.com",
        "proton.me",
        "netvigator.com",
        "hkbn.net",
        "ymail.com",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
    }
)
ORG_DOMAIN_SUFFIXES = (".org", ".org.hk", ".gov.hk", ".gov", ".edu.hk", ".edu", ".ac.uk", ".ngo", ".org.tw", ".org.cn")


def respondent_type(value: str, organisation: str) -> str:
    """Map a form's respondent-type answer to individual/organisation/anonymous/unknown (rules 1 and 2)."""
    low = value.strip().lower()
    for kind, words in RESPONDENT_WORDS.items():
        if low and any(w in low for w in words):
            return kind
    return "organisation" if organisation.strip() else "unknown"


def letterhead_organisation(text: str, signature: str = "") -> str | None:
    """The organisation named on a letterhead line (first lines of the text) or in the signature block (rule 2)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    sig = [ln.strip() for ln in signature.strip().splitlines() if ln.strip()]
    for line in lines[:LETTERHEAD_LINES] + sig + lines[-LETTERHEAD_LINES:]:
        # A name is a short line without sentence punctuation: "我不信任這間公司。" is a sentence, not a letterhead.
        if 2 <= len(line) <= MAX_ORG_NAME_CHARS and not SENTENCE_MARKS.search(line) and ORG_NAME.search(line):
            return line.rstrip(",，:：")
    return None


def respondent_from_email(sender_name: str, address: str, organisation: str | None) -> str:
    """Respondent type of an e-mail (rules 2 and 3); `organisation` is what letterhead_organisation found."""
    if organisation:
        return "organisation"
    name, addr = sender_name.strip().lower(), address.strip().lower()
    if not addr or any(w in name or w in addr.split("@")[0] for w in RESPONDENT_WORDS["anonymous"]):
        return "anonymous"
    domain = addr.rpartition("@")[2]
    if domain in WEBMAIL_DOMAINS:
        return "individual"
    if domain.endswith(ORG_DOMAIN_SUFFIXES):
        return "organisation"
    return "unknown"
