"""The words of the invitation email and its reminder, in each page language.

One `InvitationTexts` per language, the English one the reference: every language has
every message, with the same {placeholders} (tests/mail/test_invitation_texts.py holds
them to it). Placeholders: {practice}, the practice's name as registered; {link}, the
invitation link. German speaks formally (Sie), Spanish too (usted), Chinese with 您;
Polish as its pages do (Ty).
"""

from __future__ import annotations

from typing import Final, TypedDict

from dentareview.domain.languages import PageLanguage


class InvitationTexts(TypedDict):
    subject: str
    reminder_subject: str
    opening: str
    reminder_opening: str
    open_link: str
    same_for_everyone: str
    unsubscribe: str
    qr_alt: str
    sender: str  # the From display name
    unnamed_practice: str  # {practice} for a practice without a name


ENGLISH: Final[InvitationTexts] = {
    "subject": "How was your visit to {practice}?",
    "reminder_subject": "A reminder: how was your visit to {practice}?",
    "opening": "{practice} invites you to review your recent visit.",
    "reminder_opening": "A reminder: {practice} invited you to review your recent visit.",
    "open_link": "Open this link to write your review, or scan the QR code with your phone:",
    "same_for_everyone": "Every patient of {practice} gets this same invitation. Your review "
    "is published as you write it, good or bad, and anyone can check that it is genuine. "
    "The reward for a review is the same whatever rating you give.",
    "unsubscribe": "You get at most one reminder. To get no more emails about this visit or "
    "from {practice} through DentaReview, unsubscribe here:",
    "qr_alt": "QR code of the link {link}",
    "sender": "{practice} via DentaReview",
    "unnamed_practice": "Your dentist",
}

GERMAN: Final[InvitationTexts] = {
    "subject": "Wie war Ihr Besuch bei {practice}?",
    "reminder_subject": "Eine Erinnerung: Wie war Ihr Besuch bei {practice}?",
    "opening": "{practice} lädt Sie ein, Ihren letzten Besuch zu bewerten.",
    "reminder_opening": "Eine Erinnerung: {practice} hat Sie eingeladen, Ihren letzten "
    "Besuch zu bewerten.",
    "open_link": "Öffnen Sie diesen Link, um Ihre Bewertung zu schreiben, oder scannen Sie "
    "den QR-Code mit Ihrem Handy:",
    "same_for_everyone": "Alle Patientinnen und Patienten von {practice} erhalten dieselbe "
    "Einladung. Ihre Bewertung wird so veröffentlicht, wie Sie sie schreiben, ob gut oder "
    "schlecht, und jeder kann prüfen, dass sie echt ist. Die Belohnung für eine Bewertung "
    "ist dieselbe, ganz gleich, wie Sie bewerten.",
    "unsubscribe": "Sie erhalten höchstens eine Erinnerung. Wenn Sie keine weiteren E-Mails "
    "zu diesem Besuch oder von {practice} über DentaReview erhalten möchten, melden Sie "
    "sich hier ab:",
    "qr_alt": "QR-Code des Links {link}",
    "sender": "{practice} über DentaReview",
    "unnamed_practice": "Ihre Zahnarztpraxis",
}

SPANISH: Final[InvitationTexts] = {
    "subject": "¿Qué tal fue su visita a {practice}?",
    "reminder_subject": "Recordatorio: ¿qué tal fue su visita a {practice}?",
    "opening": "{practice} le invita a escribir una reseña de su visita reciente.",
    "reminder_opening": "Recordatorio: {practice} le invitó a escribir una reseña de su "
    "visita reciente.",
    "open_link": "Abra este enlace para escribir su reseña, o escanee el código QR con su "
    "teléfono:",
    "same_for_everyone": "Todos los pacientes de {practice} reciben esta misma invitación. "
    "Su reseña se publica tal como usted la escribe, buena o mala, y cualquiera puede "
    "comprobar que es auténtica. La recompensa por una reseña es la misma, sea cual sea la "
    "valoración que usted dé.",
    "unsubscribe": "Recibirá como máximo un recordatorio. Para no recibir más correos sobre "
    "esta visita ni de {practice} a través de DentaReview, cancele su suscripción aquí:",
    "qr_alt": "Código QR del enlace {link}",
    "sender": "{practice} a través de DentaReview",
    "unnamed_practice": "Su dentista",
}

# The practice's name is always the subject (nominative): Polish would decline it in any
# other place, and a name cannot be declined by rule ("Gabinet Uśmiech", "Dentica"...).
POLISH: Final[InvitationTexts] = {
    "subject": "{practice}: jak minęła Twoja wizyta?",
    "reminder_subject": "{practice} przypomina: jak minęła Twoja wizyta?",
    "opening": "{practice} zaprasza Cię do wystawienia opinii o Twojej ostatniej wizycie.",
    "reminder_opening": "{practice} przypomina o zaproszeniu do wystawienia opinii o Twojej "
    "ostatniej wizycie.",
    "open_link": "Otwórz ten link, aby napisać opinię, albo zeskanuj kod QR telefonem:",
    "same_for_everyone": "{practice} wysyła to samo zaproszenie każdemu pacjentowi. Twoja "
    "opinia zostanie opublikowana tak, jak ją napiszesz, dobra czy zła, a każdy może "
    "sprawdzić, że jest prawdziwa. Nagroda za opinię jest taka sama bez względu na "
    "wystawioną ocenę.",
    "unsubscribe": "Dostaniesz najwyżej jedno przypomnienie. Jeśli nie chcesz więcej "
    "e-maili w sprawie tej wizyty ani innych wiadomości, które {practice} wysyła przez "
    "DentaReview, wypisz się tutaj:",
    "qr_alt": "Kod QR linku {link}",
    "sender": "{practice} przez DentaReview",
    "unnamed_practice": "Twój dentysta",
}

CHINESE: Final[InvitationTexts] = {
    "subject": "您在{practice}的就诊体验如何？",
    "reminder_subject": "提醒：您在{practice}的就诊体验如何？",
    "opening": "{practice}邀请您评价最近一次就诊。",
    "reminder_opening": "提醒：{practice}曾邀请您评价最近一次就诊。",
    "open_link": "请打开此链接撰写您的评价，或用手机扫描二维码：",
    "same_for_everyone": "{practice}的每一位患者都会收到同样的邀请。您的评价将按您所写的内容"
    "原样发布，无论好坏，任何人都可以核实它的真实性。无论您给出什么评分，评价的奖励都相同。",
    "unsubscribe": "您最多还会收到一次提醒。如果您不想再通过 DentaReview 收到关于此次就诊或"
    "来自{practice}的邮件，请在此退订：",
    "qr_alt": "链接 {link} 的二维码",
    "sender": "{practice}（通过 DentaReview）",
    "unnamed_practice": "您的牙医",
}

INVITATION_TEXTS: Final[dict[PageLanguage, InvitationTexts]] = {
    "en": ENGLISH,
    "de": GERMAN,
    "es": SPANISH,
    "pl": POLISH,
    "zh-Hans": CHINESE,
}
