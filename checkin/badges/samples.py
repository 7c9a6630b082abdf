"""Names in every script the badges support: for tests, the benchmark and previews."""

from __future__ import annotations

from checkin.models import Attendee

# (script, title, given, family, name order, organisation, country, role)
SAMPLES: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    ("Latin", "Prof. Dr.", "Friederike", "Schäfer-Weiß", "given_first",
     "Universitätsklinikum Hamburg-Eppendorf", "DE", "speaker"),
    ("Greek", "", "Δήμητρα", "Αλεξίου", "given_first",
     "Αριστοτέλειο Πανεπιστήμιο Θεσσαλονίκης", "GR", "delegate"),
    ("Cyrillic", "", "Дмитрий", "Волков", "given_first",
     "Первый МГМУ им. И.М. Сеченова", "RU", "delegate"),
    ("Chinese (simplified)", "", "秀英", "王", "family_first", "复旦大学附属中山医院", "CN",
     "speaker"),
    ("Chinese (traditional)", "", "志偉", "陳", "family_first", "國立臺灣大學醫學院附設醫院",
     "TW", "delegate"),
    ("Japanese", "", "さくら", "高橋", "family_first", "京都大学医学部附属病院", "JP",
     "delegate"),
    ("Korean", "", "서연", "이", "family_first", "연세대학교 세브란스병원", "KR", "press"),
    ("Arabic", "", "ليلى", "حسن", "given_first", "الجامعة الأمريكية في بيروت", "LB",
     "delegate"),
    ("Persian", "", "محمدرضا", "شجریان", "given_first", "دانشگاه علوم پزشکی تهران", "IR",
     "staff"),
    ("Hebrew", "", "יוסף", "לוי", "given_first", "הדסה", "IL", "delegate"),
    ("Devanagari", "", "राहुल", "वर्मा", "given_first", "अखिल भारतीय आयुर्विज्ञान संस्थान",
     "IN", "exhibitor"),
    ("Tamil", "", "தமிழ்செல்வன்", "கிருஷ்ணன்", "given_first", "சென்னை மருத்துவக் கல்லூரி",
     "IN", "delegate"),
    ("Bengali", "", "সৌমিত্র", "চট্টোপাধ্যায়", "given_first", "ঢাকা বিশ্ববিদ্যালয়", "BD",
     "vip"),
    ("Thai", "", "สมชาย", "ศรีสุข", "given_first", "จุฬาลงกรณ์มหาวิทยาลัย", "TH", "student"),
    ("Georgian", "", "გიორგი", "ბერიძე", "given_first", "თბილისის სახელმწიფო უნივერსიტეტი",
     "GE", "delegate"),
    ("Armenian", "", "Արամ", "Խաչատրյան", "given_first", "Երևանի պետական համալսարան", "AM",
     "organiser"),
    ("Ethiopic", "", "አበበ", "ቢቂላ", "given_first", "አዲስ አበባ ዩኒቨርሲቲ", "ET", "delegate"),
    ("Gujarati", "", "અનિલ", "પટેલ", "given_first", "ગુજરાત યુનિવર્સિટી", "IN", "delegate"),
    ("Gurmukhi", "", "ਗੁਰਪ੍ਰੀਤ", "ਸਿੰਘ", "given_first", "ਪੰਜਾਬੀ ਯੂਨੀਵਰਸਿਟੀ", "IN", "delegate"),
    ("Kannada", "", "ಅನಿಲ್", "ಕುಮಾರ್", "given_first", "ಬೆಂಗಳೂರು ವೈದ್ಯಕೀಯ ಕಾಲೇಜು", "IN",
     "delegate"),
    ("Telugu", "", "శ్రీనివాస్", "రెడ్డి", "given_first", "ఉస్మానియా విశ్వవిద్యాలయం", "IN",
     "delegate"),
    ("Malayalam", "", "അനിൽ", "കുമാർ", "given_first", "കേരള സർവകലാശാല", "IN", "delegate"),
    ("Odia", "", "ସୁଭାଷ", "ମହାପାତ୍ର", "given_first", "ଉତ୍କଳ ବିଶ୍ୱବିଦ୍ୟାଳୟ", "IN", "delegate"),
    ("Sinhala", "", "සුනිල්", "පෙරේරා", "given_first", "කොළඹ විශ්වවිද්‍යාලය", "LK",
     "delegate"),
    ("Lao", "", "ສົມພອນ", "ພົມມະວົງ", "given_first", "ມະຫາວິທະຍາໄລແຫ່ງຊາດ", "LA",
     "delegate"),
    ("Khmer", "", "សុខា", "ចាន់", "given_first", "សាកលវិទ្យាល័យភូមិន្ទភ្នំពេញ", "KH", "delegate"),
    ("Myanmar", "", "အောင်", "ကျော်", "given_first", "ရန်ကုန်ဆေးတက္ကသိုလ်", "MM", "delegate"),
    ("CJK name characters", "", "喆堃", "髙﨑", "family_first", "赟祎 邉 𠮷野家", "JP",
     "delegate"),
    ("Vietnamese", "", "Văn Thành", "Trần", "family_first", "Đại học Y Hà Nội", "VN",
     "delegate"),
    ("Hungarian", "", "Krisztina", "Horváth", "family_first", "Debreceni Egyetem", "HU",
     "delegate"),
    ("Long Spanish", "Dra.", "María de los Ángeles",
     "Fernández de Córdoba y Martínez de Villalobos", "given_first",
     "Instituto de Investigación Sanitaria del Hospital Universitario de la Princesa, "
     "Madrid (IIS-P)",
     "ES", "speaker"),
)


def sample_attendees(count: int | None = None) -> list[Attendee]:
    """Attendees with names in every supported script, repeated to count if given."""
    base = [
        Attendee(id=f"S{i:03d}", title=title, given_name=given, family_name=family,
                 name_order=order, organisation=org, country=country, role=role,
                 ref=f"R{i:07d}")
        for i, (_, title, given, family, order, org, country, role) in enumerate(SAMPLES)
    ]
    if count is None:
        return base
    out = []
    for n in range(count):
        a = base[n % len(base)]
        out.append(Attendee(id=f"B{n:04d}", title=a.title, given_name=a.given_name,
                            family_name=a.family_name, name_order=a.name_order,
                            organisation=a.organisation, country=a.country, role=a.role,
                            ref=f"Q{n:07d}"))
    return out
