"""Checks on files vendor staff upload to the library and as recordings: a size limit by kind, the
content sniffed from its first bytes against the type the name declares, and a name that is safe
to store (no folders, no `..`, nothing but ordinary characters)."""

from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# Types whose content has no magic number: accepted when the first bytes look like text.
TEXT_TYPES = {
    "text/plain": {"txt"},
    "text/csv": {"csv"},
    "application/json": {"json", "geojson"},
}
# Extensions accepted in the library, by the type their content must sniff as.
SNIFFED_TYPES = {
    "application/pdf": {"pdf"},
    "application/zip": {"zip"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {"pptx"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "video/mp4": {"mp4", "m4v"},
    "video/webm": {"webm"},
}
# Every type a library file can have, the types its download answers with.
LIBRARY_CONTENT_TYPES = sorted({*SNIFFED_TYPES, *TEXT_TYPES})
RECORDING_CONTENT_TYPES = sorted(t for t in SNIFFED_TYPES if t.startswith("video/"))
# Office files are zip archives: a sniffer that only sees the zip header is not wrong about them.
ZIP_CONTAINERS = {"docx", "xlsx", "pptx"}
SNIFF_BYTES = 8192


def safe_file_name(name: str) -> str:
    """The last part of the name, with only ordinary characters: `../../x.pdf` becomes `x.pdf`."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.replace("..", "").lstrip(".")
    try:
        cleaned = get_valid_filename(base)
    except SuspiciousFileOperation:
        cleaned = ""
    return cleaned[:150] or "file"


def _extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def sniff_content_type(upload: UploadedFile) -> str:
    """The content type the file's own bytes show, checked against its name; ValidationError if
    the two disagree or the name's type is not accepted."""
    name = safe_file_name(upload.name)
    extension = _extension(name)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    guessed = filetype.guess(head)
    sniffed = guessed.mime if guessed else None
    for content_type, extensions in SNIFFED_TYPES.items():
        if extension not in extensions:
            continue
        if sniffed == content_type or (extension in ZIP_CONTAINERS and sniffed == "application/zip"):
            return content_type
        raise ValidationError(
            _("The content of “%(name)s” is not what its name says (%(type)s).")
            % {"name": name, "type": sniffed or _("unrecognised")}
        )
    text_type = next((ct for ct, extensions in TEXT_TYPES.items() if extension in extensions), None)
    if text_type is None:
        accepted = sorted({e for exts in (*SNIFFED_TYPES.values(), *TEXT_TYPES.values()) for e in exts})
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
            % {"name": name, "types": ", ".join(accepted)}
        )
    if sniffed is None and _looks_like_text(head):
        return text_type
    raise ValidationError(
        _("The content of “%(name)s” is not what its name says (%(type)s).")
        % {"name": name, "type": sniffed or _("binary data")}
    )


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may end in the middle of a multi-byte character.
        return exc.start >= len(head) - 3
    return True


def upload_check(upload: UploadedFile, *, video_only: bool = False) -> str:
    """Validate an upload and return its content type. Videos may be up to LEARNING_VIDEO_MAX_BYTES,
    anything else up to LEARNING_FILE_MAX_BYTES."""
    content_type = sniff_content_type(upload)
    is_video = content_type.startswith("video/")
    if video_only and not is_video:
        raise ValidationError(_("A recording must be a video file (MP4 or WebM)."))
    limit = settings.LEARNING_VIDEO_MAX_BYTES if is_video else settings.LEARNING_FILE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files of this kind may be at most %(limit)s.")
            % {
                "name": safe_file_name(upload.name),
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            }
        )
    return content_type
