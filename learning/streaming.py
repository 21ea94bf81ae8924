"""Serving a stored file to a person who has been let through: streamed from Django's storage with
HTTP Range support (a video seeks by asking for byte ranges), or, on object storage, a redirect
to a short-lived signed URL so the bytes do not pass through the web server."""

import inspect
import re

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(file, start: int, length: int):
    try:
        file.seek(start)
        remaining = length
        while remaining > 0:
            data = file.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        file.close()


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte of a single-range header, clamped to the file; None when the header
    is not one satisfiable range. Several ranges at once are answered with the whole file."""
    match = RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            return None
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start > end or start >= size:
        return None
    return start, end


def is_first_request(request) -> bool:
    """True unless the request continues a download (a Range not starting at byte 0): a video
    seeking is one view, not many."""
    header = request.headers.get("Range", "")
    match = RANGE.match(header.strip()) if header else None
    return not match or match.group(1) in ("", "0")


def file_response(request, *, storage, name: str, size: int, content_type: str, filename: str, inline: bool):
    """The response that hands the stored file `name` to the client."""
    if not isinstance(storage, FileSystemStorage):
        kwargs = {}
        if "expire" in inspect.signature(storage.url).parameters:
            kwargs["expire"] = settings.LEARNING_SIGNED_URL_SECONDS
        return HttpResponseRedirect(storage.url(name, **kwargs))
    disposition = content_disposition_header(not inline, filename)
    header = request.headers.get("Range")
    byte_range = parse_range(header, size) if header and "," not in header else None
    if header and "," not in header and byte_range is None:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = byte_range if byte_range else (0, size - 1)
    length = end - start + 1 if size else 0
    response = StreamingHttpResponse(
        _chunks(storage.open(name, "rb"), start, length),
        status=206 if byte_range else 200,
        content_type=content_type,
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def recording_response(request, training) -> HttpResponse:
    """The session's uploaded recording, inline, with Range support so the player seeks."""
    file = training.recording_file
    return file_response(
        request,
        storage=file.storage,
        name=file.name,
        size=file.size,
        content_type=training.recording_content_type or "video/mp4",
        filename=file.name.rsplit("/", 1)[-1],
        inline=True,
    )
