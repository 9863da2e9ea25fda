"""A visitor on a phone answers a questionnaire, sees the results, and cannot answer twice."""

import pytest

from archivox.polls import services
from archivox.polls.identity import Person
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.polls.conftest import answers_for, archivist, nanjing, option, survey  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_visitor_on_a_phone_answers_a_questionnaire_and_sees_the_results(
    phone,
    live_server,
    survey,  # noqa: F811
):
    q = survey.q
    url = f"{live_server.url}/archives/nanjing/polls/{survey.slug}/"
    phone.goto(url)
    assert phone.locator("fieldset.question").count() == 4
    assert_fits_phone(phone)
    assert_controls_are_44px(phone)
    phone.check(f"input[name=q{q['single'].pk}][value='{option(q['single'], '微信公众号').pk}']")
    gardens = option(q["multiple"], "园林")
    phone.check(f"input[name=q{q['multiple'].pk}][value='{gardens.pk}']")
    phone.check(f"input[name=q{q['rating'].pk}][value='5']")
    phone.fill(f"textarea[name=q{q['text'].pk}]", "<b>多发老照片</b>")
    screenshot(phone, "poll-form")
    phone.click("form.questionnaire button[type=submit]")
    phone.wait_for_url("**/results/")
    assert phone.locator("ul.messages li.success").count() == 1
    assert phone.locator(f"li[data-option='{gardens.pk}'] .count").inner_text() == "1 · 100.0%"
    assert_fits_phone(phone)
    screenshot(phone, "poll-results")

    # Someone else answers; the results refresh without reloading the page.
    services.response_submit(
        questionnaire=survey, person=Person("wechat", "o-other"), answers=answers_for(survey)
    )
    phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    phone.wait_for_selector("#poll-results[data-refreshed]")
    assert phone.locator("#poll-results p.total").inner_text().startswith("2")
    assert phone.locator(f"li[data-option='{gardens.pk}'] .count").inner_text() == "1 · 50.0%"

    # Coming back to the questionnaire: no form, a clear "already answered".
    phone.goto(url)
    assert phone.locator("form.questionnaire").count() == 0
    assert phone.locator("p.already").count() == 1
    phone.watch.assert_clean()


def test_a_refused_answer_is_explained_on_the_phone_and_nothing_is_lost(
    phone,
    live_server,
    survey,  # noqa: F811
):
    q = survey.q
    phone.goto(f"{live_server.url}/archives/nanjing/polls/{survey.slug}/")
    # The required choice question is left out; the text written stays in the form.
    phone.check(f"input[name=q{q['rating'].pk}][value='3']")
    phone.fill(f"textarea[name=q{q['text'].pk}]", "保留这段话")
    phone.evaluate("document.querySelector('form.questionnaire').noValidate = true")
    phone.click("form.questionnaire button[type=submit]")
    assert phone.locator(f"#question-{q['single'].pk} p.error").count() == 1
    assert phone.input_value(f"textarea[name=q{q['text'].pk}]") == "保留这段话"
    assert phone.is_checked(f"input[name=q{q['rating'].pk}][value='3']")
    assert survey.responses.count() == 0


def assert_controls_are_44px(page) -> None:
    """Inputs and buttons are big enough for a thumb; a radio or checkbox counts by its label."""
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea, label.choice')]
            .filter(e => e.offsetParent !== null && e.type !== 'hidden')
            .filter(e => !((e.type === 'radio' || e.type === 'checkbox') && e.closest('label')))
            .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert not small, small
