"""The words of an invitation letter, per language (the letter prints the invitee's
language beside German).

German and English are the center's own; Arabic, Ukrainian, Russian, Turkish, Persian
and Romanian are best effort and await a native speaker's review (REVIEW), as the
visitor catalogues in app/web/static/i18n do. A key missing in a language falls back
to English.
"""

from __future__ import annotations

REVIEW = frozenset({"ar", "uk", "ru", "tr", "fa", "ro"})
RTL = frozenset({"ar", "fa"})

TEXT: dict[str, dict[str, str]] = {
    "de": {
        "title": "Einladung",
        "greeting": "Guten Tag,",
        "invited": "Sie sind am {date} in das Welcome-Center eingeladen.",
        "window": "Bitte kommen Sie zwischen {start} und {end} Uhr.",
        "where": "Ort",
        "when": "Datum",
        "arrive": "Ankunft",
        "code": "Ihr Code",
        "kiosk": "Tippen Sie am Eingang den Code ein oder halten Sie den QR-Code unter "
        "den Scanner. Sie bekommen eine Nummer und werden aufgerufen.",
        "concerns": "Ihre Anliegen",
        "bring": "Bitte bringen Sie mit",
        "closing": "Wir freuen uns auf Sie.",
    },
    "en": {
        "title": "Invitation",
        "greeting": "Hello,",
        "invited": "You are invited to the Welcome-Center on {date}.",
        "window": "Please come between {start} and {end}.",
        "where": "Place",
        "when": "Date",
        "arrive": "Arrival",
        "code": "Your code",
        "kiosk": "At the entrance, type the code or hold the QR code under the scanner. "
        "You get a number and will be called.",
        "concerns": "Your concerns",
        "bring": "Please bring",
        "closing": "We look forward to seeing you.",
    },
    "ar": {
        "title": "دعوة",
        "greeting": "مرحبًا،",
        "invited": "أنت مدعو إلى مركز الترحيب يوم {date}.",
        "window": "يرجى الحضور بين الساعة {start} والساعة {end}.",
        "where": "المكان",
        "when": "التاريخ",
        "arrive": "الوصول",
        "code": "رمزك",
        "kiosk": "عند المدخل، اكتب الرمز أو ضع رمز QR تحت الماسح الضوئي. "
        "ستحصل على رقم وسيتم النداء عليك.",
        "concerns": "طلباتك",
        "bring": "يرجى إحضار",
        "closing": "نتطلع إلى رؤيتك.",
    },
    "fa": {
        "title": "دعوت‌نامه",
        "greeting": "سلام،",
        "invited": "شما در تاریخ {date} به مرکز خوش‌آمدگویی دعوت شده‌اید.",
        "window": "لطفاً بین ساعت {start} و {end} بیایید.",
        "where": "مکان",
        "when": "تاریخ",
        "arrive": "زمان ورود",
        "code": "کد شما",
        "kiosk": "در ورودی، کد را وارد کنید یا کد QR را زیر اسکنر بگیرید. "
        "یک شماره دریافت می‌کنید و صدا زده می‌شوید.",
        "concerns": "درخواست‌های شما",
        "bring": "لطفاً همراه بیاورید",
        "closing": "منتظر دیدار شما هستیم.",
    },
    "uk": {
        "title": "Запрошення",
        "greeting": "Добрий день,",
        "invited": "Вас запрошено до Welcome-Center {date}.",
        "window": "Будь ласка, прийдіть між {start} і {end}.",
        "where": "Місце",
        "when": "Дата",
        "arrive": "Прибуття",
        "code": "Ваш код",
        "kiosk": "Біля входу введіть код або піднесіть QR-код до сканера. "
        "Ви отримаєте номер, і вас викличуть.",
        "concerns": "Ваші питання",
        "bring": "Будь ласка, візьміть із собою",
        "closing": "Чекаємо на вас.",
    },
    "ru": {
        "title": "Приглашение",
        "greeting": "Здравствуйте,",
        "invited": "Вы приглашены в Welcome-Center {date}.",
        "window": "Пожалуйста, приходите между {start} и {end}.",
        "where": "Место",
        "when": "Дата",
        "arrive": "Приход",
        "code": "Ваш код",
        "kiosk": "У входа введите код или поднесите QR-код к сканеру. "
        "Вы получите номер, и вас вызовут.",
        "concerns": "Ваши вопросы",
        "bring": "Пожалуйста, возьмите с собой",
        "closing": "Ждём вас.",
    },
    "tr": {
        "title": "Davet",
        "greeting": "Merhaba,",
        "invited": "{date} tarihinde Welcome-Center'a davetlisiniz.",
        "window": "Lütfen {start} ile {end} arasında gelin.",
        "where": "Yer",
        "when": "Tarih",
        "arrive": "Geliş",
        "code": "Kodunuz",
        "kiosk": "Girişte kodu yazın veya QR kodunu tarayıcının altına tutun. "
        "Bir numara alırsınız ve çağrılırsınız.",
        "concerns": "Konularınız",
        "bring": "Lütfen yanınızda getirin",
        "closing": "Sizi bekliyoruz.",
    },
    "ro": {
        "title": "Invitație",
        "greeting": "Bună ziua,",
        "invited": "Sunteți invitat(ă) la Welcome-Center pe {date}.",
        "window": "Vă rugăm să veniți între {start} și {end}.",
        "where": "Locul",
        "when": "Data",
        "arrive": "Sosire",
        "code": "Codul dumneavoastră",
        "kiosk": "La intrare, tastați codul sau țineți codul QR sub scaner. "
        "Primiți un număr și veți fi chemat(ă).",
        "concerns": "Solicitările dumneavoastră",
        "bring": "Vă rugăm să aduceți",
        "closing": "Vă așteptăm.",
    },
}

# What to bring, as items; each demo need names the items it asks for.
ITEMS: dict[str, dict[str, str]] = {
    "passport": {
        "de": "Pass oder Passersatz",
        "en": "Passport or substitute passport",
        "ar": "جواز السفر أو بديل جواز السفر",
        "fa": "پاسپورت یا جایگزین پاسپورت",
        "uk": "Паспорт або документ, що його замінює",
        "ru": "Паспорт или документ, заменяющий паспорт",
        "tr": "Pasaport veya pasaport yerine geçen belge",
        "ro": "Pașaport sau document înlocuitor",
    },
    "permit": {
        "de": "Aufenthaltstitel oder Bescheinigung",
        "en": "Residence permit or certificate",
        "ar": "تصريح الإقامة أو الشهادة",
        "fa": "اجازه اقامت یا گواهی",
        "uk": "Посвідка на проживання або довідка",
        "ru": "Вид на жительство или справка",
        "tr": "Oturma izni veya belge",
        "ro": "Permis de ședere sau adeverință",
    },
    "registration": {
        "de": "Meldebescheinigung",
        "en": "Certificate of registration (Meldebescheinigung)",
        "ar": "شهادة تسجيل السكن (Meldebescheinigung)",
        "fa": "گواهی ثبت محل سکونت (Meldebescheinigung)",
        "uk": "Довідка про реєстрацію (Meldebescheinigung)",
        "ru": "Справка о регистрации (Meldebescheinigung)",
        "tr": "İkamet kaydı belgesi (Meldebescheinigung)",
        "ro": "Certificat de înregistrare (Meldebescheinigung)",
    },
    "cv": {
        "de": "Lebenslauf und Zeugnisse",
        "en": "CV and certificates",
        "ar": "السيرة الذاتية والشهادات",
        "fa": "رزومه و مدارک",
        "uk": "Резюме та свідоцтва",
        "ru": "Резюме и свидетельства",
        "tr": "Özgeçmiş ve belgeler",
        "ro": "CV și certificate",
    },
    "income": {
        "de": "Nachweise über Einkommen und Miete",
        "en": "Proof of income and rent",
        "ar": "إثباتات الدخل والإيجار",
        "fa": "مدارک درآمد و اجاره",
        "uk": "Підтвердження доходу та оренди",
        "ru": "Подтверждения дохода и аренды",
        "tr": "Gelir ve kira belgeleri",
        "ro": "Dovezi de venit și chirie",
    },
    "diplomas": {
        "de": "Abschlüsse und Übersetzungen",
        "en": "Diplomas and their translations",
        "ar": "الشهادات الدراسية وترجماتها",
        "fa": "مدارک تحصیلی و ترجمه‌ها",
        "uk": "Дипломи та їх переклади",
        "ru": "Дипломы и их переводы",
        "tr": "Diplomalar ve tercümeleri",
        "ro": "Diplome și traducerile lor",
    },
    "letters": {
        "de": "Briefe von Behörden",
        "en": "Letters from the authorities",
        "ar": "رسائل من الدوائر الرسمية",
        "fa": "نامه‌های اداری",
        "uk": "Листи від установ",
        "ru": "Письма от ведомств",
        "tr": "Resmi kurumlardan gelen mektuplar",
        "ro": "Scrisori de la autorități",
    },
}

NEED_ITEMS: dict[str, tuple[str, ...]] = {
    "residence": ("passport", "permit", "registration"),
    "work_permit": ("passport", "permit"),
    "opportunity": ("passport", "permit", "cv"),
    "work": ("cv", "letters"),
    "income": ("income", "letters"),
    "career": ("cv", "diplomas"),
    "training": ("cv", "diplomas"),
    "youth_coaching": ("cv",),
    "case_management": ("letters",),
    "counselling": ("letters",),
    "recognition": ("diplomas",),
    "language_course": ("letters",),
}
ALWAYS = ("passport",)


def words(language: str) -> dict[str, str]:
    return {**TEXT["en"], **TEXT.get(language, {})}


def to_bring(needs: list[str], language: str) -> list[str]:
    """Items for these needs (the passport always), each once, in the language given."""
    keys = list(dict.fromkeys([*ALWAYS, *(k for n in needs for k in NEED_ITEMS.get(n, ()))]))
    return [ITEMS[k].get(language) or ITEMS[k]["en"] for k in keys]
