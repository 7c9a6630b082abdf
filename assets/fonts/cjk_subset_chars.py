"""Writes cjk_unicodes.txt: the code points kept in the CJK subset (see README.md).

Run at development time only (README):
    python cjk_subset_chars.py NotoSansCJK-Bold.ttc && pyftsubset ...
"""
# Union of GB2312 (simplified), Big5 level 1 (traditional common), JIS X 0208 (Japanese),
# all Hangul syllables, kana, CJK punctuation, fullwidth forms
chars=set()
def dbcs(codec, hi, lo):
    for a in hi:
        for b in lo:
            try:
                c=bytes([a,b]).decode(codec)
            except Exception: continue
            if len(c)==1: chars.add(c)
dbcs('gb2312', range(0xA1,0xF8), range(0xA1,0xFF))
dbcs('big5', range(0xA4,0xC7), list(range(0x40,0x7F))+list(range(0xA1,0xFF)))  # level 1 hanzi A440-C67E
dbcs('big5', range(0xC9,0xFA), list(range(0x40,0x7F))+list(range(0xA1,0xFF)))  # level 2
dbcs('euc_jp', range(0xA1,0xF5), range(0xA1,0xFF))
for r in [(0xAC00,0xD7A4),(0x1100,0x1200),(0x3130,0x3190),(0x3000,0x3100),(0x31F0,0x3200),(0xFF00,0xFFF0),(0x20,0x7F),(0x3200,0x3300)]:
    chars.update(chr(c) for c in range(*r))
import sys  # noqa: E402

# Every ideograph the font has (name characters beyond the legacy charsets: 喆 髙 﨑 𠮷 ...):
# python cjk_subset_chars.py /path/to/NotoSansCJK-Bold.ttc
if len(sys.argv) > 1:
    from fontTools.ttLib import TTCollection

    cmap = TTCollection(sys.argv[1]).fonts[2].getBestCmap()
    chars.update(chr(c) for c in cmap if 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF
                 or 0xF900 <= c <= 0xFAFF or 0x20000 <= c <= 0x3FFFF)
han=[c for c in chars if 0x3400<=ord(c)<=0x9FFF or ord(c)>=0x20000]
print(len(chars), len(han), file=sys.stderr)
open('cjk_unicodes.txt','w').write(",".join("U+%04X"%ord(c) for c in sorted(chars)))
