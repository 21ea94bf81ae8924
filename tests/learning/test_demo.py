from django.core.management import call_command
from django.utils import timezone

from learning.demo import solution_set
from learning.models import LibraryFile, LibraryItem, Training


def test_seed_demo_adds_the_learning_content_once(db):
    # when
    call_command("seed_demo")
    call_command("seed_demo")
    # then
    now = timezone.now()
    upcoming = Training.objects.filter(starts_at__gt=now, is_published=True)
    assert sorted(upcoming.values_list("capacity", flat=True), key=str) == [3, None]
    [past] = Training.objects.filter(ends_at__lt=now)
    assert past.recording_file.storage.exists(past.recording_file.name)
    files = LibraryItem.objects.exclude(kind=LibraryItem.Kind.SOLUTION).values_list("kind", flat=True)
    assert sorted(files) == sorted(set(LibraryItem.Kind.values) - {LibraryItem.Kind.SOLUTION})
    solutions = LibraryItem.objects.filter(kind=LibraryItem.Kind.SOLUTION, is_published=True)
    assert solutions.count() == len(solution_set()["articles"]) == 36
    assert LibraryFile.objects.count() == 3
    assert all(f.file.storage.exists(f.file.name) for f in LibraryFile.objects.all())
