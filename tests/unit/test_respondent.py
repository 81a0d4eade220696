import pytest

from collect.respondent import letterhead_organisation, respondent_from_email

# A real organisation letter from the regulations.gov docket (CC0) and a vTaiwan comment (CC BY 4.0).
LETTER = "Compression Obsession, Inc.\n\nThe success a National Directory of Healthcare Providers and Services depends"
COMMENT = "uber就是叫派計程車，談不上運用閒置資源或是共乘"


@pytest.mark.parametrize(
    ("text", "signature", "expected"),
    [
        (LETTER, "", "Compression Obsession, Inc."),
        (COMMENT, "", None),
        ("我不信任這間公司。", "", None),  # a sentence that ends in 公司 is not a letterhead
        (COMMENT, "香港的士商會\n陳大文", "香港的士商會"),
    ],
)
def test_letterhead_and_signature_cues(text, signature, expected):
    assert letterhead_organisation(text, signature) == expected


@pytest.mark.parametrize(
    ("name", "address", "org", "expected"),
    [
        ("陳大文", "chan.taiman@netvigator.com", None, "individual"),
        ("Anonymous", "anonymous@example.com", None, "anonymous"),
        ("", "", None, "anonymous"),
        ("Info", "info@taxi.org.hk", None, "organisation"),
        ("Mary", "mary@bigbank.com.hk", None, "unknown"),  # a company address alone is not a company's view
        ("Mary", "mary@gmail.com", "Parks Watch Association", "organisation"),
    ],
)
def test_email_rule(name, address, org, expected):
    assert respondent_from_email(name, address, org) == expected
