"""Decoding bytes of unknown encoding: BOMs, UTF-8, then charset-normalizer, with Hong Kong supersets preferred."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# Detected legacy encodings are widened to their supersets: Big5-HKSCS holds the Hong Kong characters (e.g. 啲, 嘅)
# that plain Big5 lacks, and GB18030 covers everything GB2312/GBK encode.
SUPERSETS = {
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "hz": "gb18030",
}
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in this order when a whole text is not one encoding (mixed-encoding files): UTF-8, then the Hong Kong
# Traditional encoding, then the mainland one. GB18030 accepts almost any byte pair, so it must come last.
FALLBACKS = ("utf-8", "big5hkscs", "gb18030")
SNIFF_BYTES = 64 * 1024
# What submissions here arrive in. Restricting detection to these keeps binary junk from "decoding" as some Cyrillic
# or Thai code page; Windows-1252 stays for English letters with curly quotes.
CANDIDATES = ["utf_8", "utf_16", "utf_32", "big5hkscs", "big5", "gb18030", "gbk", "gb2312", "cp1252"]


class UndecodableError(ValueError):
    """Bytes that no supported encoding decodes."""


def normal_encoding(name: str) -> str:
    """Canonical codec name, widened to its Hong Kong/mainland superset (big5 -> big5hkscs, gbk -> gb18030)."""
    canonical = codecs.lookup(name).name
    return SUPERSETS.get(canonical.replace("-", "").replace("_", ""), SUPERSETS.get(canonical, canonical))


def _utf16_without_bom(data: bytes) -> str | None:
    # Text in UTF-8, Big5 or GB18030 never holds NUL bytes; UTF-16 puts one beside every ASCII character (space,
    # newline, digits), always on the same side. So NULs all on odd offsets mean little-endian, all on even big-endian.
    # CJK-only UTF-16 without a single ASCII character has no NULs and is left to charset-normalizer.
    sample = data[:SNIFF_BYTES]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 2 and even <= odd // 20:
        return "utf-16-le"
    if even >= 2 and odd <= even // 20:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> str | None:
    """Best guess of the encoding of `data` (BOM, UTF-8, UTF-16 without BOM, then charset-normalizer), or None."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    guess = _utf16_without_bom(data)  # before UTF-8: ASCII in UTF-16 is also valid UTF-8 (with NULs)
    if guess:
        return guess
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:SNIFF_BYTES], cp_isolation=CANDIDATES).best()
    return normal_encoding(best.encoding) if best is not None else None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown encoding strictly.

    Returns:
        (text, encoding name).

    Raises:
        UndecodableError: when neither the detected encoding nor a fallback decodes every byte.

    """
    guess = detect_encoding(data)
    for enc in dict.fromkeys([guess, *FALLBACKS] if guess else FALLBACKS):
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    raise UndecodableError(f"bytes not decodable as {guess or 'any detected encoding'} or {', '.join(FALLBACKS)}")


def redecode(text: str, encoding: str) -> str | None:
    """Repair a line decoded with errors="surrogateescape" by trying the fallbacks on its raw bytes.

    Returns the repaired text, or None when no fallback decodes it (the caller rejects the line).
    """
    try:
        raw = text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:  # UTF-16 and other non-ASCII-based codecs cannot carry escaped bytes back
        return None
    for enc in FALLBACKS:
        if enc == encoding:
            continue
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None
