"""The nested objects of items: message content parts (§2.2), annotations, tool actions and outputs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Tag

from .._core.validation import RequestModel
from .tagged import ABSENT, Attribute, Number, content_kind, tagged_union

# --- message content parts (§2.2) -------------------------------------------------------------------


class FileCitation(RequestModel):
    type: Literal["file_citation"]
    file_id: str
    filename: str
    index: int


class URLCitation(RequestModel):
    type: Literal["url_citation"]
    url: str
    title: str
    start_index: int
    end_index: int


class ContainerFileCitation(RequestModel):
    type: Literal["container_file_citation"]
    container_id: str
    file_id: str
    filename: str
    start_index: int
    end_index: int


class FilePath(RequestModel):
    type: Literal["file_path"]
    file_id: str
    index: int


Annotation = tagged_union(FileCitation, URLCitation, ContainerFileCitation, FilePath)


class TopLogProb(RequestModel):
    token: str
    logprob: Number
    bytes: list[Number]


class LogProb(TopLogProb):
    top_logprobs: list[TopLogProb]


class InputText(RequestModel):
    type: Literal["input_text"]
    text: str


class InputImage(RequestModel):
    type: Literal["input_image"]
    detail: Literal["high", "low", "auto", "original"] = ABSENT
    file_id: str = ABSENT
    image_url: str = ABSENT


class InputFile(RequestModel):
    type: Literal["input_file"]
    file_data: str = ABSENT
    file_id: str = ABSENT
    file_url: str = ABSENT
    filename: str = ABSENT


class InputAudioData(RequestModel):
    data: str
    format: Literal["mp3", "wav"]


class InputAudio(RequestModel):
    type: Literal["input_audio"]
    input_audio: InputAudioData


class OutputText(RequestModel):
    type: Literal["output_text"]
    text: str
    annotations: list[Annotation] = ABSENT  # type: ignore[valid-type]  # a runtime-built union
    logprobs: list[LogProb] = ABSENT


class Refusal(RequestModel):
    type: Literal["refusal"]
    refusal: str


ContentPart = tagged_union(InputText, InputImage, InputFile, InputAudio, OutputText, Refusal, bare_strings=True)
MessageContent = Annotated[
    Annotated[str, Tag("#str")] | Annotated[list[ContentPart], Tag("#list")],  # type: ignore[valid-type]  # runtime-built
    Discriminator(content_kind),
]


# --- nested objects of tool items -------------------------------------------------------------------


class Coordinate(RequestModel):
    x: int
    y: int


class ClickAction(RequestModel):
    type: Literal["click"]
    button: Literal["left", "right", "wheel", "back", "forward"]
    x: int
    y: int


class DoubleClickAction(Coordinate):
    type: Literal["double_click"]


class DragAction(RequestModel):
    type: Literal["drag"]
    path: list[Coordinate]


class KeyPressAction(RequestModel):
    type: Literal["keypress"]
    keys: list[str]


class MoveAction(Coordinate):
    type: Literal["move"]


class ScreenshotAction(RequestModel):
    type: Literal["screenshot"]


class ScrollAction(Coordinate):
    type: Literal["scroll"]
    scroll_x: int
    scroll_y: int


class TypeAction(RequestModel):
    type: Literal["type"]
    text: str


class WaitAction(RequestModel):
    type: Literal["wait"]


ComputerAction = tagged_union(
    ClickAction,
    DoubleClickAction,
    DragAction,
    KeyPressAction,
    MoveAction,
    ScreenshotAction,
    ScrollAction,
    TypeAction,
    WaitAction,
)


class PendingSafetyCheck(RequestModel):
    id: str
    code: str
    message: str


class AcknowledgedSafetyCheck(RequestModel):
    id: str
    code: str = ABSENT
    message: str = ABSENT


class ComputerScreenshot(RequestModel):
    type: Literal["computer_screenshot"]
    file_id: str = ABSENT
    image_url: str = ABSENT


class SearchSource(RequestModel):
    type: Literal["url"]
    url: str


class SearchAction(RequestModel):
    type: Literal["search"]
    query: str
    sources: list[SearchSource] = ABSENT


class OpenPageAction(RequestModel):
    type: Literal["open_page"]
    url: str


class FindAction(RequestModel):
    type: Literal["find"]
    pattern: str
    url: str


class FileSearchResult(RequestModel):
    attributes: dict[str, Attribute] = ABSENT
    file_id: str = ABSENT
    filename: str = ABSENT
    score: Number = ABSENT
    text: str = ABSENT


class SummaryText(RequestModel):
    type: Literal["summary_text"]
    text: str


class ReasoningText(RequestModel):
    type: Literal["reasoning_text"]
    text: str


class CodeInterpreterLogs(RequestModel):
    type: Literal["logs"]
    logs: str


class CodeInterpreterImage(RequestModel):
    type: Literal["image"]
    url: str


class LocalShellAction(RequestModel):
    type: Literal["exec"]
    command: list[str]
    env: dict[str, str]
    timeout_ms: int = ABSENT
    user: str = ABSENT
    working_directory: str = ABSENT


class ShellCallAction(RequestModel):
    type: Literal["exec"]
    command: str = ABSENT
    timeout_ms: int = ABSENT
    max_output_length: int = ABSENT


class ShellOutcome(RequestModel):
    type: Literal["exit", "timeout"]
    exit_code: int | None


class ShellOutput(RequestModel):
    stdout: str
    stderr: str
    outcome: ShellOutcome


class MCPTool(RequestModel):
    name: str
    input_schema: dict[str, Any]
    annotations: dict[str, Any] = ABSENT
    description: str = ABSENT
