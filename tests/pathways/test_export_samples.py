"""Sample pathways for the exporter tests (imported by the other ``test_export_*`` modules).

- :func:`example`: the hip-fracture example shipped with the package;
- :func:`tricky`: keys that are DOT and Mermaid keywords or start with a digit, names
  with ``:``, quotes, backslashes, markup and non-ASCII text, a readmission loop, a home
  step with both inputs and outputs, a step nobody reaches, a handover that is missing
  and one with an empty checklist;
- :func:`chain`: a long synthetic pathway, levels alternating, for size checks;
- :func:`partnership`: 46 steps as a helsefellesskap draws them.

:func:`assert_in_language` checks that a legend speaks the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache
from importlib.resources import files

from pathways.document import parse_document
from pathways.export import Approval, ExportContext
from pathways.findings import Finding, Severity
from pathways.model import (
    ChecklistItem,
    Handover,
    Level,
    Pathway,
    PathwayInfo,
    Side,
    Step,
    StepKind,
    Transition,
)
from pathways.validation import validate_pathway

M, H = Level.MUNICIPALITY, Level.HOSPITAL
NASTY = "Ærlig: \"sitat\" \\ back\\slash <b>&amp;</b> #1 | `tick` 'x' → ø"


@cache
def example() -> Pathway:
    raw = files("pathways.examples").joinpath("hip-fracture.json").read_bytes()
    return parse_document(raw)


@cache
def tricky() -> Pathway:
    steps = (
        Step("home", f"Hjemme: {NASTY}", M, StepKind.HOME, "hjemmesykepleie"),
        Step("1st-visit", 'GP "fastlege": first look', M, StepKind.ASSESSMENT, "fastlege"),
        Step("node", "Akuttmottak: A\\B", H, StepKind.ADMISSION, 'lege "LIS"'),
        Step(
            "end",
            "Sengepost <ward> & co",
            H,
            StepKind.TREATMENT,
            "sykepleier",
            "P2D",
            'Line one\nline two: "quoted"',
        ),
        Step("subgraph", "Utskrivningsklar?", H, StepKind.DECISION, "lege"),
        Step("graph", "Korttidsplass", M, StepKind.RECEPTION, "", "P14D"),
        Step("home_again", "Hjemme igjen", M, StepKind.HOME, "hjemmesykepleie"),
        Step("orphan", "Nobody reaches this step", H, StepKind.OTHER),
    )
    full = Handover(
        sender_role="fastlege",
        receiver_role='lege "LIS"',
        messages=("HENVISNING", 'Free text: "urgent" <now>'),
        deadline="PT1H",
        checklist=(
            ChecklistItem("med-list", f"Medication list: {NASTY}", Side.SENDER, True, "PT1H"),
            ChecklistItem("notify_muni", "LOG_INNLAGT sent", Side.RECEIVER, False, None),
        ),
    )
    transitions = (
        Transition("fall", "home", "1st-visit", 'Fall: "hip" | pain'),
        Transition("admit", "1st-visit", "node", "Referred", full),
        Transition("to-ward", "node", "end"),
        Transition("assess", "end", "subgraph"),
        Transition(
            "to-graph",
            "subgraph",
            "graph",
            "Needs rehab: yes",
            Handover("ward nurse", "care office", ("LOG_UTSKRIVNINGSKLAR",), "PT0H"),
        ),
        Transition("straight-home", "subgraph", "home", "Home: \\ straight"),
        Transition("settled", "graph", "home_again"),
        Transition("readmit", "graph", "node", "Readmission <30 d", None),
    )
    return Pathway(
        PathwayInfo(
            title=f"Tricky: {NASTY}",
            description="Line 1\n\nLine 2 <p>",
            target_group="Alle & enhver",
            agreement_ref='Avtale "2"',
            review_due=date(2027, 1, 31),
        ),
        steps,
        transitions,
    )


@cache
def chain(size: int = 120) -> Pathway:
    """``size`` steps, two per layer, levels alternating every layer; home at both ends."""
    steps = [Step("start", "Home", M, StepKind.HOME, "home nursing")]
    transitions = []
    previous = ["start"]
    for layer in range(1, size // 2):
        level = H if layer % 2 else M
        current = [f"s{layer}-{i}" for i in range(2)]
        kind = StepKind.DECISION if layer % 5 == 0 else StepKind.TREATMENT
        steps += [Step(key, f"Step {key}", level, kind, "nurse") for key in current]
        for source in previous:
            for target in current:
                cross = steps[[s.key for s in steps].index(source)].level is not level
                handover = (
                    Handover(
                        "a",
                        "b",
                        ("MSG",),
                        "PT24H",
                        (
                            ChecklistItem("x", "Do x", Side.SENDER),
                            ChecklistItem("y", "Do y", Side.RECEIVER),
                        ),
                    )
                    if cross
                    else None
                )
                transitions.append(Transition(f"{source}--{target}", source, target, "", handover))
        previous = current
    steps.append(Step("finish", "Home again", M, StepKind.HOME, "home nursing"))
    for source in previous:
        level_of = {s.key: s.level for s in steps}
        handover = Handover("a", "b", ("MSG",), "PT0H") if level_of[source] is H else None
        transitions.append(Transition(f"{source}--finish", source, "finish", "", handover))
    transitions.append(Transition("loop", previous[0], steps[1].key, "again"))
    return Pathway(PathwayInfo(title="Chain"), tuple(steps), tuple(transitions))


@cache
def outcomes() -> Pathway:
    """An outpatient visit (no inpatient stay) and a stay that may end in death."""
    referral = Handover(
        "fastlege",
        "heart failure clinic",
        ("HENVISNING",),
        "P14D",
        (
            ChecklistItem("referral", "Referral with medication list", Side.SENDER, True, "PT0H"),
            ChecklistItem("booked", "Appointment booked", Side.RECEIVER, True, "P1W"),
        ),
    )
    back = Handover(
        "clinic nurse",
        "fastlege",
        ("EPIKRISE",),
        "PT24H",
        (
            ChecklistItem("note", "Outpatient note sent", Side.SENDER, True, "PT24H"),
            ChecklistItem("read", "GP reads the note", Side.RECEIVER, True, "P14D"),
        ),
    )
    home_again = Handover(
        "ward nurse",
        "home nursing",
        ("LOG_UTSKRIVNINGSKLAR", "EPIKRISE"),
        "PT0H",
        (
            ChecklistItem("medication", "Medication list sent", Side.SENDER, True, "PT0H"),
            ChecklistItem("visit", "First home visit", Side.RECEIVER, True, "PT12H"),
        ),
    )
    steps = (
        Step("home", "At home", M, StepKind.HOME, "home nursing"),
        Step("gp", "GP assessment", M, StepKind.ASSESSMENT, "fastlege", "PT30M"),
        Step("clinic", "Heart failure clinic", H, StepKind.OUTPATIENT, "cardiologist", "PT2H"),
        Step("admitted", "Admitted", H, StepKind.ADMISSION, "ED physician", "PT4H"),
        Step("ward", "Cardiology ward", H, StepKind.TREATMENT, "ward nurse", "P1W"),
        Step("outcome", "Outcome of the stay", H, StepKind.DECISION, "ward physician"),
        Step("died", "Died in hospital", H, StepKind.DEATH, "ward physician"),
        Step("home-after", "Back at home", M, StepKind.HOME, "home nursing"),
    )
    transitions = (
        Transition("worse", "home", "gp", "Breathless"),
        Transition("refer", "gp", "clinic", "Referred to the clinic", referral),
        Transition("controlled", "clinic", "home-after", "Stable", back),
        Transition("admit", "clinic", "admitted", "Needs a stay"),
        Transition("to-ward", "admitted", "ward"),
        Transition("assess", "ward", "outcome"),
        Transition("discharged", "outcome", "home-after", "Ready for discharge", home_again),
        Transition("death", "outcome", "died", "Died"),
    )
    return Pathway(PathwayInfo(title="Heart failure: clinic and stay"), steps, transitions)


CONTEXT = ExportContext(
    pathway_id=42,
    status="approved",
    version=3,
    revision=17,
    approvals=(
        Approval("Bærum kommune", M, datetime(2026, 3, 1, 14, 5, tzinfo=UTC), 17),
        Approval('Vestre Viken HF "medisinsk"', H, datetime(2026, 3, 2, 9, 30), 17),
    ),
    findings=(
        Finding(
            "handover.missing",
            Severity.ERROR,
            steps=("subgraph",),
            transitions=("readmit",),
            messages={"en": 'No handover <here> & "now"', "nb": "Mangler overlevering"},
        ),
        Finding(
            "step.no_responsible",
            Severity.WARNING,
            steps=("graph",),
            messages={"en": "No responsible role", "nb": "Ingen ansvarlig rolle"},
        ),
        Finding("info.note", Severity.INFO, messages={"en": "Just so you know"}),
    ),
    generated_at=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
    language="en",
)


def test_samples_are_valid_pathways() -> None:
    for pathway in (example(), tricky(), chain(), outcomes()):
        validate_pathway(pathway)


def test_tricky_has_what_it_promises() -> None:
    pathway = tricky()
    assert any(pathway.is_cross_level(t) and t.handover is None for t in pathway.transitions)
    assert any(":" in step.name and '"' in step.name for step in pathway.steps)


def _handover(
    sender: str, receiver: str, messages: tuple[str, ...], deadline: str, *items: str
) -> Handover:
    checklist = tuple(
        ChecklistItem(
            f"item-{index}",
            text,
            Side.SENDER if index % 2 == 0 else Side.RECEIVER,
            index == 0,
            "PT0H" if index == 0 else None,
        )
        for index, text in enumerate(items)
    )
    return Handover(sender, receiver, messages, deadline, checklist)


@cache
def partnership() -> Pathway:
    """46 steps the way a helsefellesskap draws a frail elderly patient's pathway: two
    decision chains (at the hospital's front door, and from ready for discharge to the
    municipality's offer), a readmission loop and 15 handovers between the levels."""
    step = Step
    steps = (
        step("hjemme", "Hjemme", M, StepKind.HOME, "pasient og pårørende"),
        step("endring", "Hjemmesykepleien ser endring", M, StepKind.ASSESSMENT, "hjemmesykepleier"),
        step("fastlege", "Fastlegen vurderer", M, StepKind.ASSESSMENT, "fastlege", "PT1H"),
        step("legevakt", "Legevakt", M, StepKind.ASSESSMENT, "legevaktslege", "PT2H"),
        step("kad", "Kommunal akutt døgnenhet", M, StepKind.TREATMENT, "KAD-lege", "P3D"),
        step("kad-bedring", "Bedring i KAD?", M, StepKind.DECISION, "KAD-lege"),
        step("amk", "AMK vurderer hastegrad", H, StepKind.REFERRAL, "AMK-operatør"),
        step("mottak", "Akuttmottak", H, StepKind.ADMISSION, "mottakslege", "PT4H"),
        step("bildediagnostikk", "Røntgen og CT", H, StepKind.ASSESSMENT, "radiograf", "PT2H"),
        step("blodprover", "Blodprøver", H, StepKind.ASSESSMENT, "bioingeniør", "PT1H"),
        step("innlegges", "Trenger innleggelse?", H, StepKind.DECISION, "mottakslege"),
        step("operasjon-q", "Trenger operasjon?", H, StepKind.DECISION, "ortoped"),
        step("operasjon", "Operasjon", H, StepKind.TREATMENT, "ortoped", "PT3H"),
        step(
            "overvaking",
            "Overvåkning etter operasjon",
            H,
            StepKind.TREATMENT,
            "anestesisykepleier",
            "PT12H",
        ),
        step("observasjon", "Observasjonspost", H, StepKind.TREATMENT, "sykepleier", "PT24H"),
        step("sengepost", "Sengepost medisin", H, StepKind.TREATMENT, "sykepleier", "P4D"),
        step("geriatri", "Geriatrisk vurdering", H, StepKind.ASSESSMENT, "geriater", "PT2H"),
        step("smerte", "Smertebehandling", H, StepKind.TREATMENT, "sykepleier"),
        step(
            "mobilisering",
            "Mobilisering med fysioterapeut",
            H,
            StepKind.TREATMENT,
            "fysioterapeut",
            "P2D",
        ),
        step(
            "ernaering", "Ernæringskartlegging", H, StepKind.ASSESSMENT, "klinisk ernæringsfysiolog"
        ),
        step("legemidler", "Legemiddelgjennomgang", H, StepKind.ASSESSMENT, "farmasøyt"),
        step("parorende", "Samtale med pårørende", H, StepKind.OTHER, "lege"),
        step("palliasjon", "Palliativt team", H, StepKind.TREATMENT, "palliativ lege"),
        step("dod", "Død i sykehus", H, StepKind.DEATH, "lege"),
        step("utskrivningsklar", "Utskrivningsklar?", H, StepKind.DECISION, "lege"),
        step("behov", "Behov etter utskrivning?", H, StepKind.DECISION, "sykepleier"),
        step("utskrivning", "Utskrivning", H, StepKind.DISCHARGE, "sykepleier", "PT4H"),
        step("poliklinikk", "Poliklinisk kontroll", H, StepKind.OUTPATIENT, "ortoped", "PT1H"),
        step(
            "tildeling",
            "Tildelingskontoret vurderer",
            M,
            StepKind.ASSESSMENT,
            "saksbehandler",
            "PT24H",
        ),
        step(
            "tilbud", "Korttid, rehabilitering eller hjem?", M, StepKind.DECISION, "saksbehandler"
        ),
        step("korttid", "Korttidsplass på sykehjem", M, StepKind.RECEPTION, "sykepleier", "P14D"),
        step(
            "rehabilitering",
            "Rehabiliteringsopphold",
            M,
            StepKind.RECEPTION,
            "fysioterapeut",
            "P21D",
        ),
        step("mottak-hjemme", "Mottak hjemme", M, StepKind.RECEPTION, "hjemmesykepleier", "PT2H"),
        step(
            "hjemmesykepleie",
            "Hjemmesykepleie følger opp",
            M,
            StepKind.FOLLOW_UP,
            "hjemmesykepleier",
            "P14D",
        ),
        step(
            "hverdagsrehab", "Hverdagsrehabilitering", M, StepKind.FOLLOW_UP, "ergoterapeut", "P28D"
        ),
        step(
            "hjelpemidler", "Hjelpemidler og tilrettelegging", M, StepKind.FOLLOW_UP, "ergoterapeut"
        ),
        step("trygghetsalarm", "Trygghetsalarm", M, StepKind.FOLLOW_UP, "hjemmetjenesten"),
        step("dagsenter", "Dagsenter", M, StepKind.FOLLOW_UP, "dagsenteret"),
        step(
            "samstemming",
            "Legemiddelsamstemming hos fastlegen",
            M,
            StepKind.FOLLOW_UP,
            "fastlege",
            "P7D",
        ),
        step(
            "fastlege-oppfolging", "Fastlegen følger opp", M, StepKind.FOLLOW_UP, "fastlege", "P14D"
        ),
        step("forverring", "Forverring hjemme?", M, StepKind.DECISION, "hjemmesykepleier"),
        step("langtid", "Langtidsplass på sykehjem", M, StepKind.RECEPTION, "sykepleier"),
        step("pleiehjem-lege", "Tilsynslege på sykehjemmet", M, StepKind.FOLLOW_UP, "tilsynslege"),
        step("evaluering", "Evaluering etter 30 dager", M, StepKind.FOLLOW_UP, "koordinator"),
        step("ipo", "Individuell plan og koordinator", M, StepKind.FOLLOW_UP, "koordinator"),
        step("hjemme-igjen", "Hjemme igjen", M, StepKind.HOME, "pasient og pårørende"),
    )
    referral = _handover(
        "fastlege",
        "mottakslege",
        ("HENVISNING", "INNLEGGELSESRAPPORT"),
        "PT1H",
        "Henvisning med legemiddelliste",
        "Mottak bekrefter",
        "Pårørende varslet",
    )
    ready = _handover(
        "sykepleier",
        "saksbehandler",
        ("LOG_UTSKRIVNINGSKLAR", "HELSEOPPL_SOKNAD"),
        "PT0H",
        "Utskrivningsklar meldt samme dag",
        "Kommunen svarer",
        "Plan for mottak avtalt",
    )
    discharged = _handover(
        "sykepleier",
        "hjemmesykepleier",
        ("EPIKRISE", "LEGEMIDDELLISTE", "LOG_UTSKREVET"),
        "PT0H",
        "Epikrise og legemiddelliste følger pasienten",
        "Første besøk avtalt",
    )
    back = _handover(
        "ortoped",
        "fastlege",
        ("POLIKLINISK_NOTAT",),
        "P7D",
        "Notat sendt fastlegen",
    )
    t = Transition
    transitions = (
        t("endring", "hjemme", "endring", "Faller eller blir dårligere"),
        t("til-fastlege", "endring", "fastlege", "Ringer fastlegen"),
        t("til-legevakt", "endring", "legevakt", "Utenfor kontortid"),
        t("fastlege-kad", "fastlege", "kad", "Kan behandles i kommunen"),
        t("fastlege-henviser", "fastlege", "amk", "Henvist til sykehus", referral),
        t("legevakt-henviser", "legevakt", "amk", "Akutt innleggelse", referral),
        t("legevakt-kad", "legevakt", "kad", "Observasjon i KAD"),
        t("kad-vurdering", "kad", "kad-bedring"),
        t("kad-hjem", "kad-bedring", "mottak-hjemme", "Bedre"),
        t("kad-sykehus", "kad-bedring", "amk", "Ikke bedre", referral),
        t("amk-mottak", "amk", "mottak", "Ambulanse"),
        t("bilder", "mottak", "bildediagnostikk", "Mistanke om brudd"),
        t("prover", "mottak", "blodprover"),
        t("bilder-vurdert", "bildediagnostikk", "innlegges"),
        t("prover-vurdert", "blodprover", "innlegges"),
        t("innlegges-ja", "innlegges", "operasjon-q", "Innlegges"),
        t("innlegges-nei", "innlegges", "mottak-hjemme", "Hjem fra mottak", discharged),
        t("innlegges-obs", "innlegges", "observasjon", "Usikkert"),
        t("obs-ferdig", "observasjon", "utskrivningsklar"),
        t("operere", "operasjon-q", "operasjon", "Brudd som må opereres"),
        t("ikke-operere", "operasjon-q", "sengepost", "Konservativ behandling"),
        t("etter-operasjon", "operasjon", "overvaking"),
        t("til-sengepost", "overvaking", "sengepost"),
        t("geriatrisk", "sengepost", "geriatri"),
        t("smertelindring", "sengepost", "smerte"),
        t("mobiliseres", "smerte", "mobilisering"),
        t("ernaering", "geriatri", "ernaering"),
        t("legemiddel", "geriatri", "legemidler"),
        t("samtale", "legemidler", "parorende"),
        t("alvorlig", "parorende", "palliasjon", "Livets sluttfase"),
        t("dor", "palliasjon", "dod", "Dør"),
        t("palliasjon-hjem", "palliasjon", "tildeling", "Ønsker å dø hjemme", ready),
        t("mobilisert", "mobilisering", "utskrivningsklar"),
        t("ernaert", "ernaering", "utskrivningsklar"),
        t("vurdert-klar", "parorende", "utskrivningsklar"),
        t("klar", "utskrivningsklar", "behov", "Medisinsk ferdigbehandlet"),
        t("ikke-klar", "utskrivningsklar", "sengepost", "Trenger mer behandling"),
        t("behov-kommune", "behov", "tildeling", "Trenger kommunale tjenester", ready),
        t("behov-ingen", "behov", "utskrivning", "Klarer seg selv"),
        t("reise-hjem", "utskrivning", "fastlege-oppfolging", "Reiser hjem", discharged),
        t("kontroll", "utskrivning", "poliklinikk", "Kontroll etter seks uker"),
        t("kontroll-notat", "poliklinikk", "fastlege-oppfolging", "Notat til fastlegen", back),
        t("tildelt", "tildeling", "tilbud"),
        t("korttid", "tilbud", "korttid", "Korttid"),
        t("rehabilitering", "tilbud", "rehabilitering", "Rehabilitering"),
        t("hjem", "tilbud", "mottak-hjemme", "Hjem med tjenester"),
        t("langtid", "tilbud", "langtid", "Langtidsplass"),
        t("korttid-hjem", "korttid", "mottak-hjemme", "Klar for hjemmet"),
        t("rehab-hjem", "rehabilitering", "mottak-hjemme", "Rehabilitert"),
        t("tilsyn", "langtid", "pleiehjem-lege"),
        t("oppfolging", "mottak-hjemme", "hjemmesykepleie"),
        t("hverdag", "hjemmesykepleie", "hverdagsrehab", "Kan trenes opp"),
        t("hjelpemiddel", "hverdagsrehab", "hjelpemidler"),
        t("alarm", "hjelpemidler", "trygghetsalarm"),
        t("dagtilbud", "trygghetsalarm", "dagsenter"),
        t("samstem", "hjemmesykepleie", "samstemming", "Ny legemiddelliste"),
        t("samstemt", "samstemming", "fastlege-oppfolging"),
        t("fulgt-opp", "fastlege-oppfolging", "forverring"),
        t("dagsenter-vurdert", "dagsenter", "forverring"),
        t("gjeninnlegges", "forverring", "amk", "Blir dårligere igjen", referral),
        t("stabil", "forverring", "evaluering", "Stabil"),
        t("plan", "evaluering", "ipo", "Trenger koordinator"),
        t("ferdig", "evaluering", "hjemme-igjen", "Klarer seg hjemme"),
        t("ipo-hjem", "ipo", "hjemme-igjen"),
        t("tilsyn-ferdig", "pleiehjem-lege", "evaluering"),
        t("korttid-sykehus", "korttid", "amk", "Blir dårligere på korttid", referral),
        t("sykehjem-sykehus", "pleiehjem-lege", "amk", "Akutt forverring", referral),
        t(
            "hjem-med-tjenester",
            "utskrivning",
            "mottak-hjemme",
            "Hjem med hjemmesykepleie",
            discharged,
        ),
        t("obs-kad", "observasjon", "kad", "Videre observasjon i KAD", discharged),
        t("ny-kontroll", "fastlege-oppfolging", "poliklinikk", "Ny kontroll", referral),
        t(
            "rad-hjemmesykepleie",
            "poliklinikk",
            "hjemmesykepleie",
            "Råd til hjemmesykepleien",
            back,
        ),
    )
    pathway = Pathway(
        PathwayInfo(
            title="Skrøpelige eldre med akutt funksjonssvikt — hjem til hjem",
            description="Utkast fra arbeidsgruppen i helsefellesskapet.",
            target_group="Skrøpelige eldre over 75 år",
            agreement_ref="Delavtale 2: innleggelse og utskrivning",
            review_due=date(2027, 6, 30),
        ),
        steps,
        transitions,
    )
    validate_pathway(pathway)
    return pathway


ENGLISH_LEGEND_WORDS = ("Legend", "Transition", "Handover", "Home", "Step")


def assert_in_language(text: str, expected: Sequence[str], language: str) -> None:
    """``text`` says each of ``expected``, and outside English none of the English words
    of a legend."""
    for said in expected:
        assert said in text, said
    if language != "en":
        for english in ENGLISH_LEGEND_WORDS:
            assert english not in text, english
