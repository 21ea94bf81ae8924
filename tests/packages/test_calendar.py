"""Behaviour of the service-time clock: window edges, wrap-around, DST days, properties."""

import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packages.calendar import ServiceCalendar

ISTANBUL = ZoneInfo("Europe/Istanbul")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")

DESK = ServiceCalendar(time(8), time(0), "Europe/Istanbul")
OFFICE_HOURS = ServiceCalendar(time(9), time(17), "Europe/Istanbul")
NIGHT_SHIFT = ServiceCalendar(time(22), time(6), "Europe/Istanbul")


def ist(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=ISTANBUL)


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def instant(moment: datetime) -> datetime:
    """The UTC reading, so comparisons are by instant even inside a repeated hour."""
    return moment.astimezone(UTC)


# --- the reference calendar: 08:00-24:00 in Istanbul ---------------------------------


def test_late_evening_ticket_rolls_over_to_next_morning():
    # given a ticket filed at 23:30
    filed = ist(2026, 3, 10, 23, 30)
    # when an hour of service is added
    deadline = DESK.add_service_minutes(filed, 60)
    # then half an hour is served before midnight and half after the 08:00 opening
    assert deadline == ist(2026, 3, 11, 8, 30)


def test_ticket_filed_before_opening_starts_at_opening():
    # given a ticket filed at 05:00
    filed = ist(2026, 3, 10, 5)
    # when two hours of service are added
    deadline = DESK.add_service_minutes(filed, 120)
    # then the clock starts at 08:00
    assert deadline == ist(2026, 3, 10, 10)


def test_ticket_filed_exactly_at_opening_counts_from_opening():
    # given a ticket filed at 08:00
    filed = ist(2026, 3, 10, 8)
    # when thirty minutes are added
    deadline = DESK.add_service_minutes(filed, 30)
    # then
    assert deadline == ist(2026, 3, 10, 8, 30)


def test_ticket_filed_one_second_before_opening_waits_for_opening():
    # given a ticket filed at 07:59:59
    filed = ist(2026, 3, 10, 7, 59, 59)
    # when one minute is added
    deadline = DESK.add_service_minutes(filed, 1)
    # then
    assert deadline == ist(2026, 3, 10, 8, 1)


def test_ticket_filed_one_second_before_midnight_carries_the_rest_to_the_morning():
    # given a ticket filed at 23:59:59
    filed = ist(2026, 3, 10, 23, 59, 59)
    # when one minute is added
    deadline = DESK.add_service_minutes(filed, 1)
    # then one second is served tonight and 59 tomorrow
    assert deadline == ist(2026, 3, 11, 8, 0, 59)


def test_ticket_filed_at_midnight_waits_for_opening():
    # given a ticket filed at 00:00, when the window has just closed
    filed = ist(2026, 3, 11, 0, 0)
    # when one minute is added
    deadline = DESK.add_service_minutes(filed, 1)
    # then
    assert deadline == ist(2026, 3, 11, 8, 1)


def test_ticket_filed_after_close_of_a_day_window_waits_for_next_day():
    # given a 09:00-17:00 window and a ticket filed at 18:00
    filed = ist(2026, 3, 10, 18)
    # when thirty minutes are added
    deadline = OFFICE_HOURS.add_service_minutes(filed, 30)
    # then
    assert deadline == ist(2026, 3, 11, 9, 30)


def test_minutes_used_up_exactly_at_closing_give_the_closing_instant():
    # given a ticket filed an hour before midnight
    filed = ist(2026, 3, 10, 23)
    # when exactly the hour left in the window is added
    deadline = DESK.add_service_minutes(filed, 60)
    # then the deadline is midnight, not the next opening
    assert deadline == ist(2026, 3, 11, 0, 0)


def test_zero_minutes_on_a_closed_instant_give_the_next_opening():
    # given a ticket filed while closed
    filed = ist(2026, 3, 10, 3, 15)
    # when zero minutes are added
    deadline = DESK.add_service_minutes(filed, 0)
    # then
    assert deadline == ist(2026, 3, 10, 8)


def test_zero_minutes_on_an_open_instant_give_the_same_instant():
    # given a ticket filed while open
    filed = ist(2026, 3, 10, 14, 7, 33)
    # when zero minutes are added
    deadline = DESK.add_service_minutes(filed, 0)
    # then
    assert deadline == filed


def test_fractional_minutes_are_honoured_to_the_second():
    # given a ticket filed at 10:00
    filed = ist(2026, 3, 10, 10)
    # when a minute and a half is added
    deadline = DESK.add_service_minutes(filed, 1.5)
    # then
    assert deadline == ist(2026, 3, 10, 10, 1, 30)


def test_service_crossing_several_days_skips_every_night():
    # given a ticket filed at opening; each day holds 16 hours of service
    filed = ist(2026, 3, 10, 8)
    # when three full days and thirty minutes are added
    deadline = DESK.add_service_minutes(filed, 3 * 960 + 30)
    # then
    assert deadline == ist(2026, 3, 13, 8, 30)


def test_ten_days_of_service_land_ten_days_later_at_the_same_time():
    # given a ticket filed at noon
    filed = ist(2026, 3, 10, 12)
    # when ten days of service are added
    deadline = DESK.add_service_minutes(filed, 10 * 960)
    # then
    assert deadline == ist(2026, 3, 20, 12)


def test_a_year_of_service_lands_a_year_later():
    # given a ticket filed at noon
    filed = ist(2026, 3, 10, 12)
    # when 365 days of service are added
    deadline = DESK.add_service_minutes(filed, 365 * 960)
    # then
    assert deadline == ist(2027, 3, 10, 12)


def test_deadline_is_expressed_in_the_calendar_zone():
    # given a ticket filed in UTC (23:30 in Istanbul)
    filed = utc(2026, 3, 10, 20, 30)
    # when an hour is added
    deadline = DESK.add_service_minutes(filed, 60)
    # then the same answer comes back, in Istanbul time
    assert deadline.tzinfo is ISTANBUL
    assert deadline == ist(2026, 3, 11, 8, 30)
    assert instant(deadline) == utc(2026, 3, 11, 5, 30)


def test_input_in_another_zone_is_read_as_the_same_instant():
    # given a ticket filed 15:30 New York time, which is 22:30 in Istanbul
    filed = datetime(2026, 3, 10, 15, 30, tzinfo=NEW_YORK)
    # when two hours are added
    deadline = DESK.add_service_minutes(filed, 120)
    # then ninety minutes run tonight and thirty tomorrow
    assert deadline == ist(2026, 3, 11, 8, 30)


# --- counting service minutes ---------------------------------------------------------


def test_minutes_between_within_one_window_are_elapsed_minutes():
    # given two instants in the same window
    a, b = ist(2026, 3, 10, 9), ist(2026, 3, 10, 11, 30)
    # when
    served = DESK.service_minutes_between(a, b)
    # then
    assert served == 150


def test_minutes_between_exclude_the_night():
    # given 23:00 and next day 09:00
    a, b = ist(2026, 3, 10, 23), ist(2026, 3, 11, 9)
    # when
    served = DESK.service_minutes_between(a, b)
    # then an hour before midnight and an hour after opening count
    assert served == 120


def test_minutes_between_count_seconds():
    # given instants thirty seconds apart in the window
    a, b = ist(2026, 3, 10, 8), ist(2026, 3, 10, 8, 0, 30)
    # when
    served = DESK.service_minutes_between(a, b)
    # then
    assert served == 0.5


def test_minutes_between_two_closed_instants_in_one_night_are_zero():
    # given 01:00 and 07:00 on the same night
    a, b = ist(2026, 3, 10, 1), ist(2026, 3, 10, 7)
    # when
    served = DESK.service_minutes_between(a, b)
    # then
    assert served == 0


def test_minutes_between_reversed_instants_are_zero():
    # given b before a
    a, b = ist(2026, 3, 10, 12), ist(2026, 3, 10, 10)
    # when
    served = DESK.service_minutes_between(a, b)
    # then
    assert served == 0.0


def test_minutes_between_several_days_add_whole_windows():
    # given 12:00 on one day and 12:00 five days later
    a, b = ist(2026, 3, 10, 12), ist(2026, 3, 15, 12)
    # when
    served = DESK.service_minutes_between(a, b)
    # then
    assert served == 5 * 960


def test_minutes_between_accept_mixed_zones():
    # given the start in UTC and the end in Istanbul time
    a, b = utc(2026, 3, 10, 6), ist(2026, 3, 10, 10)
    # when
    served = DESK.service_minutes_between(a, b)
    # then 09:00 to 10:00 Istanbul counts
    assert served == 60


# --- is_open and next_opening ---------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ist(2026, 3, 10, 7, 59, 59), False),
        (ist(2026, 3, 10, 8), True),
        (ist(2026, 3, 10, 23, 59, 59), True),
        (ist(2026, 3, 11, 0, 0), False),
    ],
)
def test_is_open_at_the_window_edges(moment, expected):
    # given an instant at a window edge
    # when
    open_now = DESK.is_open(moment)
    # then the window is closed-open: [08:00, 24:00)
    assert open_now is expected


def test_next_opening_of_a_closed_instant_is_the_morning_opening():
    # given a closed instant
    moment = ist(2026, 3, 10, 2)
    # when
    opening = DESK.next_opening(moment)
    # then
    assert opening == ist(2026, 3, 10, 8)


def test_next_opening_of_an_open_instant_is_the_instant_itself():
    # given an open instant given in UTC
    moment = utc(2026, 3, 10, 12)
    # when
    opening = DESK.next_opening(moment)
    # then it is the same instant, expressed in the calendar zone
    assert opening == moment
    assert opening.tzinfo is ISTANBUL


# --- other window shapes --------------------------------------------------------------


def test_office_hours_carry_the_remainder_to_the_next_morning():
    # given a 09:00-17:00 window and a ticket filed at 16:30
    filed = ist(2026, 3, 10, 16, 30)
    # when an hour is added
    deadline = OFFICE_HOURS.add_service_minutes(filed, 60)
    # then
    assert deadline == ist(2026, 3, 11, 9, 30)


def test_night_shift_runs_past_midnight():
    # given a 22:00-06:00 window and a ticket filed at 23:00
    filed = ist(2026, 3, 10, 23)
    # when two hours are added
    deadline = NIGHT_SHIFT.add_service_minutes(filed, 120)
    # then
    assert deadline == ist(2026, 3, 11, 1)


def test_night_shift_ticket_filed_in_the_early_morning_uses_the_previous_evening_window():
    # given a ticket filed at 05:30, inside the window that opened yesterday at 22:00
    filed = ist(2026, 3, 10, 5, 30)
    # when an hour is added
    deadline = NIGHT_SHIFT.add_service_minutes(filed, 60)
    # then half an hour runs now and half from 22:00 tonight
    assert deadline == ist(2026, 3, 10, 22, 30)


def test_night_shift_ticket_filed_at_noon_waits_for_the_evening():
    # given a ticket filed at noon
    filed = ist(2026, 3, 10, 12)
    # when thirty minutes are added
    deadline = NIGHT_SHIFT.add_service_minutes(filed, 30)
    # then
    assert deadline == ist(2026, 3, 10, 22, 30)


def test_night_shift_counts_only_night_minutes():
    # given 21:00 and 07:00 the next morning
    a, b = ist(2026, 3, 10, 21), ist(2026, 3, 11, 7)
    # when
    served = NIGHT_SHIFT.service_minutes_between(a, b)
    # then the eight hours of the shift count
    assert served == 480


@pytest.mark.parametrize("boundary", [time(0), time(9, 15)])
def test_equal_start_and_end_mean_always_open(boundary):
    # given a window whose start equals its end
    calendar = ServiceCalendar(boundary, boundary, "Europe/Istanbul")
    filed = ist(2026, 3, 10, 3)
    # when
    deadline = calendar.add_service_minutes(filed, 24 * 60 + 1)
    served = calendar.service_minutes_between(filed, ist(2026, 3, 11, 3))
    # then time is plain elapsed time
    assert calendar.is_open(filed)
    assert deadline == ist(2026, 3, 11, 3, 1)
    assert served == 24 * 60


# --- daylight-saving days -------------------------------------------------------------
# Berlin 2026: clocks jump 02:00 -> 03:00 on 29 March, fall 03:00 -> 02:00 on 25 October.


def test_window_over_spring_forward_holds_one_hour_less():
    # given a 00:00-06:00 Berlin window
    calendar = ServiceCalendar(time(0), time(6), "Europe/Berlin")
    # when the whole spring-forward day is counted
    served = calendar.service_minutes_between(
        datetime(2026, 3, 29, 0, tzinfo=BERLIN), datetime(2026, 3, 29, 12, tzinfo=BERLIN)
    )
    # then
    assert served == 5 * 60


def test_window_over_fall_back_holds_one_hour_more():
    # given a 00:00-06:00 Berlin window
    calendar = ServiceCalendar(time(0), time(6), "Europe/Berlin")
    # when the whole fall-back day is counted
    served = calendar.service_minutes_between(
        datetime(2026, 10, 25, 0, tzinfo=BERLIN), datetime(2026, 10, 25, 12, tzinfo=BERLIN)
    )
    # then
    assert served == 7 * 60


def test_service_across_spring_forward_is_real_elapsed_time():
    # given a 01:00-04:00 Berlin window and a ticket at 01:30 CET
    calendar = ServiceCalendar(time(1), time(4), "Europe/Berlin")
    filed = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    # when an hour is added
    deadline = calendar.add_service_minutes(filed, 60)
    # then the wall clock reads 03:30 CEST, one real hour later
    assert instant(deadline) == utc(2026, 3, 29, 1, 30)
    assert deadline.replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_service_across_fall_back_lands_in_the_repeated_hour():
    # given a 01:00-04:00 Berlin window and a ticket at the first 02:30 (CEST)
    calendar = ServiceCalendar(time(1), time(4), "Europe/Berlin")
    filed = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    # when an hour is added
    deadline = calendar.add_service_minutes(filed, 60)
    # then it is the second 02:30 (CET)
    assert instant(deadline) == utc(2026, 10, 25, 1, 30)
    assert deadline.fold == 1


def test_window_opening_inside_the_gap_opens_when_the_gap_ends():
    # given a window opening at 02:30, a wall time that does not exist on 29 March
    calendar = ServiceCalendar(time(2, 30), time(5), "Europe/Berlin")
    # when
    opening = calendar.next_opening(datetime(2026, 3, 29, 0, tzinfo=BERLIN))
    # then it opens at 03:00 CEST
    assert instant(opening) == utc(2026, 3, 29, 1)


def test_window_closing_inside_the_gap_closes_when_the_gap_ends():
    # given a window closing at 02:30, a wall time that does not exist on 29 March
    calendar = ServiceCalendar(time(1), time(2, 30), "Europe/Berlin")
    # when the day is counted
    served = calendar.service_minutes_between(
        datetime(2026, 3, 29, 0, tzinfo=BERLIN), datetime(2026, 3, 29, 12, tzinfo=BERLIN)
    )
    # then 01:00 CET to 03:00 CEST: one real hour
    assert served == 60


def test_window_opening_in_the_repeated_hour_opens_at_its_first_occurrence():
    # given a window opening at 02:30, which happens twice on 25 October
    calendar = ServiceCalendar(time(2, 30), time(4), "Europe/Berlin")
    # when
    opening = calendar.next_opening(datetime(2026, 10, 25, 0, tzinfo=BERLIN))
    served = calendar.service_minutes_between(opening, datetime(2026, 10, 25, 12, tzinfo=BERLIN))
    # then it opens at the first 02:30 (CEST) and stays open through the repeat
    assert instant(opening) == utc(2026, 10, 25, 0, 30)
    assert served == 150


def test_window_closing_in_the_repeated_hour_closes_at_its_first_occurrence():
    # given a window closing at 02:30, which happens twice on 25 October
    calendar = ServiceCalendar(time(1), time(2, 30), "Europe/Berlin")
    # when
    closed_again = calendar.is_open(datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=BERLIN))
    served = calendar.service_minutes_between(
        datetime(2026, 10, 25, 0, tzinfo=BERLIN), datetime(2026, 10, 25, 12, tzinfo=BERLIN)
    )
    # then 01:00 CEST to the first 02:30: ninety minutes, and the repeat is closed
    assert closed_again is False
    assert served == 90


def test_night_window_over_fall_back_night_holds_nine_hours():
    # given a 22:00-06:00 Berlin window
    calendar = ServiceCalendar(time(22), time(6), "Europe/Berlin")
    # when the night into 25 October is counted
    served = calendar.service_minutes_between(
        datetime(2026, 10, 24, 12, tzinfo=BERLIN), datetime(2026, 10, 25, 12, tzinfo=BERLIN)
    )
    # then
    assert served == 9 * 60


def test_new_york_office_hours_ignore_an_overnight_spring_forward():
    # given a 09:00-17:00 New York window around 8 March 2026
    calendar = ServiceCalendar(time(9), time(17), "America/New_York")
    a = datetime(2026, 3, 7, 12, tzinfo=NEW_YORK)
    b = datetime(2026, 3, 9, 12, tzinfo=NEW_YORK)
    # when
    served = calendar.service_minutes_between(a, b)
    # then 5 + 8 + 3 hours
    assert served == 16 * 60


def test_new_york_deadline_keeps_local_opening_after_the_clock_change():
    # given a 09:00-17:00 New York window and a ticket late on Saturday before DST starts
    calendar = ServiceCalendar(time(9), time(17), "America/New_York")
    filed = datetime(2026, 3, 7, 16, 30, tzinfo=NEW_YORK)
    # when an hour is added
    deadline = calendar.add_service_minutes(filed, 60)
    # then Sunday opens at 09:00 EDT
    assert instant(deadline) == utc(2026, 3, 8, 13, 30)


def test_new_york_night_window_over_spring_forward_holds_seven_hours():
    # given a 22:00-06:00 New York window
    calendar = ServiceCalendar(time(22), time(6), "America/New_York")
    # when the night into 8 March is counted
    served = calendar.service_minutes_between(
        datetime(2026, 3, 7, 12, tzinfo=NEW_YORK), datetime(2026, 3, 8, 12, tzinfo=NEW_YORK)
    )
    # then
    assert served == 7 * 60


@pytest.mark.parametrize(
    ("day", "expected_minutes"),
    [(date(2026, 10, 4), 330), (date(2026, 4, 5), 390)],
)
def test_lord_howe_half_hour_shift_changes_the_window_by_thirty_minutes(day, expected_minutes):
    # given a 00:00-06:00 window on Lord Howe Island, whose clocks move by 30 minutes
    calendar = ServiceCalendar(time(0), time(6), "Australia/Lord_Howe")
    start = datetime.combine(day, time(0), tzinfo=LORD_HOWE)
    # when the change-over day is counted
    served = calendar.service_minutes_between(start, start.replace(hour=12))
    # then
    assert served == expected_minutes


# --- validation -----------------------------------------------------------------------


def test_naive_filing_time_is_rejected():
    # given a naive datetime
    naive = datetime(2026, 3, 10, 12)
    # when / then
    with pytest.raises(ValueError, match="aware"):
        DESK.add_service_minutes(naive, 10)


@pytest.mark.parametrize("method", ["is_open", "next_opening"])
def test_naive_datetime_is_rejected_by_the_helpers(method):
    # given a naive datetime
    naive = datetime(2026, 3, 10, 12)
    # when / then
    with pytest.raises(ValueError, match="aware"):
        getattr(DESK, method)(naive)


def test_naive_end_of_a_span_is_rejected():
    # given an aware start and a naive end
    a, b = ist(2026, 3, 10, 12), datetime(2026, 3, 10, 14)
    # when / then
    with pytest.raises(ValueError, match="aware"):
        DESK.service_minutes_between(a, b)


@pytest.mark.parametrize("minutes", [-1, -0.5, float("nan"), float("inf")])
def test_negative_or_non_finite_minutes_are_rejected(minutes):
    # given a valid filing time
    filed = ist(2026, 3, 10, 12)
    # when / then
    with pytest.raises(ValueError, match="minutes"):
        DESK.add_service_minutes(filed, minutes)


def test_unknown_zone_is_rejected_with_its_name():
    # given / when / then
    with pytest.raises(ValueError, match="Mars/Olympus_Mons"):
        ServiceCalendar(time(8), time(0), "Mars/Olympus_Mons")


def test_calendars_are_hashable_values():
    # given two calendars built from the same values
    first = ServiceCalendar(time(8), time(0), "Europe/Istanbul")
    second = ServiceCalendar(time(8), time(0), "Europe/Istanbul")
    # when / then
    assert first == second
    assert len({first, second}) == 1


def test_calendars_survive_pickling_with_a_working_clock():
    # given a calendar that has already computed some windows
    DESK.add_service_minutes(ist(2026, 3, 10, 12), 60)
    # when it goes through pickle, as a cache backend would do
    restored = pickle.loads(pickle.dumps(DESK))
    # then it is equal and still computes deadlines
    assert restored == DESK
    assert restored.add_service_minutes(ist(2026, 3, 10, 23, 30), 60) == ist(2026, 3, 11, 8, 30)


# --- properties -----------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Istanbul",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Apia",
]
INPUT_ZONES = [UTC, *(ZoneInfo(name) for name in ZONES)]
PROPERTY = settings(max_examples=200, deadline=None)
TOLERANCE = 1e-6


@st.composite
def calendars(draw, zones=ZONES, step=timedelta(seconds=1)):
    """Random windows (some always open) of at least half an hour, on ``step`` boundaries."""
    steps_per_day = timedelta(days=1) // step
    midnight = datetime(2000, 1, 1)
    start = midnight + draw(st.integers(0, steps_per_day - 1)) * step
    length = draw(st.one_of(st.just(0), st.integers(timedelta(minutes=30) // step, steps_per_day - 1)))
    end = start + length * step
    return ServiceCalendar(start.time(), end.time(), draw(st.sampled_from(zones)))


instants = st.datetimes(
    min_value=datetime(2008, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from(INPUT_ZONES),
    allow_imaginary=False,
)
minutes = st.integers(0, 5 * 24 * 3600).map(lambda seconds: seconds / 60)
gaps = st.integers(0, 20 * 24 * 3600).map(lambda seconds: timedelta(seconds=seconds))


@PROPERTY
@given(calendars(), instants, minutes)
def test_counting_back_a_deadline_from_an_open_instant_returns_the_minutes(calendar, raw, n):
    # given an instant inside the window
    t = calendar.next_opening(raw)
    # when
    served = calendar.service_minutes_between(t, calendar.add_service_minutes(t, n))
    # then
    assert served == pytest.approx(n, abs=TOLERANCE)


@PROPERTY
@given(calendars(), instants, minutes)
def test_counting_back_a_deadline_from_any_filing_instant_returns_the_minutes(calendar, t, n):
    # given any filing instant
    # when
    served = calendar.service_minutes_between(t, calendar.add_service_minutes(t, n))
    # then
    assert served == pytest.approx(n, abs=TOLERANCE)


@PROPERTY
@given(calendars(), instants, minutes, minutes)
def test_more_minutes_never_give_an_earlier_deadline(calendar, t, n1, n2):
    # given two amounts of service
    smaller, larger = sorted((n1, n2))
    # when
    first = calendar.add_service_minutes(t, smaller)
    second = calendar.add_service_minutes(t, larger)
    # then
    assert instant(first) <= instant(second)


@PROPERTY
@given(calendars(), instants, st.integers(0, 3 * 24 * 60), st.integers(1, 3 * 24 * 60))
def test_adding_in_two_steps_equals_adding_at_once(calendar, t, a, b):
    # given service split into a and a positive b
    # when
    stepwise = calendar.add_service_minutes(calendar.add_service_minutes(t, a), b)
    at_once = calendar.add_service_minutes(t, a + b)
    # then
    assert instant(stepwise) == instant(at_once)


@PROPERTY
@given(calendars(), instants, gaps, gaps, st.sampled_from(INPUT_ZONES))
def test_service_minutes_add_up_over_consecutive_spans(calendar, a, first_gap, second_gap, zone):
    # given three ordered instants, the later two read in an arbitrary zone
    b = (instant(a) + first_gap).astimezone(zone)
    c = (instant(b) + second_gap).astimezone(zone)
    # when
    parts = calendar.service_minutes_between(a, b) + calendar.service_minutes_between(b, c)
    whole = calendar.service_minutes_between(a, c)
    # then
    assert parts == pytest.approx(whole, abs=TOLERANCE)


@PROPERTY
@given(calendars(), instants, gaps)
def test_service_minutes_never_exceed_elapsed_minutes(calendar, a, gap):
    # given an instant and one a real-time gap later
    b = instant(a) + gap
    # when
    served = calendar.service_minutes_between(a, b)
    # then
    assert 0 <= served <= gap / timedelta(minutes=1) + TOLERANCE


@PROPERTY
@given(calendars(), instants)
def test_zero_minutes_give_the_next_opening_which_is_open(calendar, t):
    # given any filing instant
    # when
    deadline = calendar.add_service_minutes(t, 0)
    # then
    assert instant(deadline) == instant(calendar.next_opening(t))
    assert instant(deadline) >= instant(t)
    assert calendar.is_open(deadline)


FIXED_OFFSET_ZONES = ["UTC", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo", "Europe/Istanbul"]


def opens_at_wall_time(calendar, wall: time) -> bool:
    if calendar.start == calendar.end:
        return True
    if calendar.start < calendar.end:
        return calendar.start <= wall < calendar.end
    return wall >= calendar.start or wall < calendar.end


@settings(max_examples=60, deadline=None)
@given(
    calendars(zones=FIXED_OFFSET_ZONES, step=timedelta(minutes=1)),
    st.datetimes(min_value=datetime(2017, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    st.integers(0, 2 * 24 * 60),
)
def test_service_minutes_match_a_minute_by_minute_count_without_dst(calendar, raw, span):
    # given whole-minute boundaries and a span in a zone without clock changes
    a = raw.replace(second=0, microsecond=0)
    zone = ZoneInfo(calendar.tz)
    # when
    served = calendar.service_minutes_between(a, a + timedelta(minutes=span))
    # then it equals the number of minutes whose local wall time lies in the window
    counted = sum(
        opens_at_wall_time(calendar, (a + timedelta(minutes=k)).astimezone(zone).time()) for k in range(span)
    )
    assert served == counted
