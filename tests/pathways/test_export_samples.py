"""Sample pathways for the exporter tests (imported by the other ``test_export_*`` modules).

- :func:`example`: the hip-fracture example shipped with the package;
- :func:`tricky`: keys that are DOT and Mermaid keywords or start with a digit, names
  with ``:``, quotes, backslashes, markup and non-ASCII text, a readmission loop, a home
  step with both inputs and outputs, a step nobody reaches, a handover that is missing
  and one with an empty checklist;
- :func:`chain`: a long synthetic pathway, levels alternating, for size checks.
"""

from __future__ import annotations

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
