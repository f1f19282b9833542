"""The polls' results, as the chat page and the API show them (one question, one selector: chats.selectors re-exports
them), kept in the process per poll and version of its votes."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, F, Q, When

from portal.accounts.models import User
from portal.kept import Kept

from .models import PollOption, PollVote


@dataclass(frozen=True)
class _PollState:
    """What every viewer of one version of a poll sees alike: its options in order, each option's voters (people with
    their names, in the order they voted; public polls only) and each voter's choices (every poll: the counts, the
    number who voted and the viewer's own choice come from them)."""

    options: tuple[tuple[int, str], ...]
    voters: dict[int, list]
    choices: dict[int, frozenset[int]]
    counts: dict[int, int]
    voter_ids: frozenset[int]


# The polls' states kept in this process under (poll, version, anonymous): a vote gives the poll a new version in its
# transaction (chats.services.polls.poll_vote), and so do a voter's rename and deletion (chats/receivers.py), so a
# state is never read again once its votes or names changed. The poll's version comes with the poll's row, which the
# callers read with their messages: a kept poll costs no query at all.
_POLL_STATES = Kept(4000)


def _poll_states_read(polls: dict) -> dict[int, _PollState]:
    """The states of these polls as the database has them now, in two queries whatever their number."""
    options = defaultdict(list)  # (position, id, text) of each poll's options, plain values: no model per option
    for option_id, poll_id, text, position in PollOption.objects.filter(poll_id__in=polls).values_list(
        "pk", "poll_id", "text", "position"
    ):
        options[poll_id].append((position, option_id, text))
    # Every vote of the polls in one query, grouped here. The voters' names only for the public polls, one person
    # object per voter (a class votes in ten polls: hundreds of votes, forty people), not a vote and a user per vote.
    public = {pk for pk, poll in polls.items() if not poll.anonymous}
    in_public = Q(option__poll_id__in=public)

    def public_name(field):
        return Case(When(in_public, then=F(f"user__{field}")), default=None)

    votes = (
        PollVote.objects.filter(option__poll_id__in=polls)
        .annotate(voter_last=public_name("last_name"), voter_first=public_name("first_name"))
        .annotate(voter_patronymic=public_name("patronymic"))
        .order_by("created_at", "pk")
        .values_list("option_id", "option__poll_id", "user_id", "voter_last", "voter_first", "voter_patronymic")
    )
    counts, voters, people = defaultdict(int), defaultdict(list), {}
    choices = {pk: defaultdict(set) for pk in polls}
    for option_id, poll_id, user_id, last_name, first_name, patronymic in votes:
        counts[option_id] += 1
        choices[poll_id][user_id].add(option_id)
        if poll_id in public:
            if user_id not in people:
                people[user_id] = User(pk=user_id, last_name=last_name, first_name=first_name, patronymic=patronymic)
            voters[option_id].append(people[user_id])
    states = {}
    for pk in polls:
        ids = [option_id for _position, option_id, _text in sorted(options[pk])]
        states[pk] = _PollState(
            options=tuple((option_id, text) for _position, option_id, text in sorted(options[pk])),
            voters={option_id: voters[option_id] for option_id in ids} if pk in public else {},
            choices={user_id: frozenset(chosen) for user_id, chosen in choices[pk].items()},
            counts={option_id: counts[option_id] for option_id in ids},
            voter_ids=frozenset(choices[pk]),
        )
    return states


def polls_results(polls, viewer) -> dict[int, dict]:
    """What the chat page and the API show of each poll, by its id: the counts per option, the viewer's own choice,
    the number of people who voted and, unless the poll is anonymous, who chose what (None when it is); and its
    `version` and `voter_ids` (who voted, public polls only), which the page keys its rows by. No query for the
    polls kept in this process at their version, two for the others whatever their number."""
    polls = {poll.pk: poll for poll in polls}
    if not polls:
        return {}
    states, missing = {}, {}
    for pk, poll in polls.items():
        state = _POLL_STATES.get((pk, poll.version, poll.anonymous))
        if state is None:
            missing[pk] = poll
        else:
            states[pk] = state
    if missing:
        for pk, state in _poll_states_read(missing).items():
            poll = missing[pk]
            _POLL_STATES.put((pk, poll.version, poll.anonymous), state)
            states[pk] = state
    return {pk: _poll_view(poll, states[pk], viewer.pk) for pk, poll in polls.items()}


def _poll_view(poll, state: _PollState, viewer_id) -> dict:
    mine = state.choices.get(viewer_id, frozenset())
    return {
        "id": poll.pk,
        "question": poll.question,
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        "closes_at": poll.closes_at,
        "closed": poll.is_closed(),
        "total_voters": len(state.choices),
        "options": [
            {
                "id": option_id,
                "text": text,
                "votes": state.counts[option_id],
                "chosen": option_id in mine,
                "voters": None if poll.anonymous else list(state.voters[option_id]),
            }
            for option_id, text in state.options
        ],
        "version": poll.version,
        "voter_ids": frozenset() if poll.anonymous else state.voter_ids,
    }


def poll_results(poll, viewer) -> dict:
    """One poll's results as `polls_results` gives them."""
    return polls_results([poll], viewer)[poll.pk]
