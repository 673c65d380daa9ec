import re

import pytest
from django.urls import reverse

from tsc.accounts.models import Login, LoginStatus, UserRight
from tsc.audit.models import AuditEvent

RIGHTS = {"right_ST": "file", "right_WH": "none", "right_WN": "view"}


def edit_data(login, **overrides):
    login = Login.objects.get(pk=login.pk)
    levels = dict(UserRight.objects.filter(login=login).values_list("tax_type__code", "level"))
    data = {"version": login.version, "user_name": login.user_name, "status": login.status}
    data |= {f"right_{code}": levels.get(code, "none") for code in ("ST", "WH", "WN")}
    return data | overrides


@pytest.mark.parametrize("url", ["/users/", "/users/add/", "/users/activity/", "/users/{viewer}/"])
@pytest.mark.parametrize("who", ["viewer", "filer", "payer", "filepay", "noaccess"])
def test_only_the_administrator_reaches_the_pages(demo, signed_in, url, who):
    client = signed_in(getattr(demo, who))
    url = url.format(viewer=demo.viewer.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_a_user_of_another_business_is_not_found(demo, signed_in):
    client = signed_in(demo.admin)
    assert client.get(f"/users/{demo.outsider.pk}/").status_code == 404
    response = client.post(f"/users/{demo.outsider.pk}/", edit_data(demo.outsider, status="disabled"))
    assert response.status_code == 404
    assert Login.objects.get(pk=demo.outsider.pk).status == LoginStatus.ACTIVE


def test_the_list_shows_users_status_and_rights(demo, signed_in):
    html = signed_in(demo.admin).get("/users/").content.decode()
    for user_id in ["admin1", "viewer", "filer", "payer", "filepay", "noaccess", "locked1"]:
        assert f">{user_id}</a>" in html
    assert "admin2" not in html
    assert "locked</span>" in html and "File and Pay" in html and "View Only" in html
    assert "Sales and Use Tax" in html and "Withholding Non-Wage" in html
    assert "Access Level Descriptions" in html


def test_the_list_uses_a_fixed_number_of_queries(demo, signed_in, django_assert_max_num_queries):
    client = signed_in(demo.admin)
    with django_assert_max_num_queries(14):
        client.get("/users/")
    for n in range(10):
        Login.objects.create(business=demo.nutmeg, user_id=f"extra{n}")
    with django_assert_max_num_queries(14):
        client.get("/users/")


def test_the_backup_banner(demo, signed_in):
    assert "Add a back-up user" not in signed_in(demo.admin).get("/users/").content.decode()
    UserRight.objects.filter(login=demo.filepay).update(level="file")
    assert "Add a back-up user" in signed_in(demo.admin).get("/users/").content.decode()


class TestAddUserView:
    def test_add_with_a_typed_password_shows_it_once(self, demo, signed_in):
        client = signed_in(demo.admin)
        response = client.post(
            "/users/add/", {"user_id": "smithj", "user_name": "Jane Smith", "temporary_password": "temp123"} | RIGHTS
        )
        html = response.content.decode()
        assert response.status_code == 200 and "temp123" in html and "shown only this once" in html
        assert "no-store" in response["Cache-Control"]
        login = Login.objects.get(business=demo.nutmeg, user_id="smithj")
        assert login.must_change_password and "temp123" not in login.password
        assert "temp123" not in client.get("/users/").content.decode()

    def test_generate_temporary_password(self, demo, signed_in):
        client = signed_in(demo.admin)
        html = client.post(
            "/users/add/", {"user_id": "smithj", "user_name": "Jane Smith", "generate_password": "1"} | RIGHTS
        ).content.decode()
        password = re.search(r'data-testid="temporary-password">([^<]+)<', html).group(1)
        assert Login.objects.get(user_id="smithj").check_password(password)

    def test_a_typed_password_is_never_silently_replaced_by_a_generated_one(self, demo, signed_in):
        client = signed_in(demo.admin)
        data = {"user_id": "smithj", "user_name": "Jane Smith", "temporary_password": "mine123"} | RIGHTS
        html = client.post("/users/add/", data | {"generate_password": "1"}).content.decode()
        assert "You typed a temporary password and also chose Generate" in html and 'value="mine123"' in html
        assert not Login.objects.filter(user_id="smithj").exists()

    def test_the_temporary_password_box_is_not_called_optional(self, demo, signed_in):
        html = signed_in(demo.admin).get("/users/add/").content.decode()
        label = html[html.index('for="id_temporary_password"') :]
        assert "(optional)" not in label[: label.index("</label>")]
        assert "Or leave it empty and use Generate Temporary Password and Save" in html

    def test_missing_rights_and_password_are_shown_next_to_the_fields(self, demo, signed_in):
        html = (
            signed_in(demo.admin)
            .post("/users/add/", {"user_id": "smithj", "user_name": "Jane", "right_ST": "file"})
            .content.decode()
        )
        assert "Select the user&#x27;s rights for Withholding Non-Wage" in html
        assert "Type a temporary password" in html and 'value="smithj"' in html
        assert not Login.objects.filter(user_id="smithj").exists()

    def test_duplicate_user_id(self, demo, signed_in):
        html = (
            signed_in(demo.admin)
            .post("/users/add/", {"user_id": "FILER", "user_name": "x", "temporary_password": "temp123"} | RIGHTS)
            .content.decode()
        )
        assert "already in use" in html

    def test_weak_temporary_password(self, demo, signed_in):
        html = (
            signed_in(demo.admin)
            .post("/users/add/", {"user_id": "smithj", "user_name": "x", "temporary_password": "abcdefg"} | RIGHTS)
            .content.decode()
        )
        assert "both letters and numbers" in html and "abcdefg" not in html.split("usa-error-message")[0][-50:]


class TestEditUserView:
    def test_unlock_locked1_with_a_temporary_password(self, demo, signed_in):
        client = signed_in(demo.admin)
        assert "change the status from" in client.get(f"/users/{demo.locked.pk}/").content.decode()
        html = client.post(
            f"/users/{demo.locked.pk}/",
            edit_data(demo.locked, status="active", set_temporary_password="on", temporary_password="unlock77"),
        ).content.decode()
        assert "unlock77" in html
        locked = Login.objects.get(pk=demo.locked.pk)
        assert locked.status == LoginStatus.ACTIVE and locked.must_change_password

    def test_a_typed_password_without_the_box_checked_is_refused(self, demo, signed_in):
        html = (
            signed_in(demo.admin)
            .post(f"/users/{demo.viewer.pk}/", edit_data(demo.viewer, temporary_password="unlock77"))
            .content.decode()
        )
        assert "Check Generate Temporary Password" in html

    def test_rights_lowered_mid_session_are_refused_on_the_next_request(self, demo, signed_in, client):
        from django.test import Client

        payer_client = Client()
        payer_client.post("/", {"registration_number": "1234567-000"})
        payer_client.post("/sign-in/", {"user_id": "payer", "password": "Demo#2024"})
        assert payer_client.get("/payments/").status_code == 200
        admin_client = signed_in(demo.admin)
        response = admin_client.post(
            f"/users/{demo.payer.pk}/", edit_data(demo.payer, right_ST="view", right_WH="view", right_WN="view")
        )
        assert response.url == reverse("accounts:users")
        assert payer_client.get("/payments/").status_code == 403

    def test_a_disabled_user_is_signed_out(self, demo, signed_in):
        from django.test import Client

        viewer_client = Client()
        viewer_client.post("/", {"registration_number": "1234567-000"})
        viewer_client.post("/sign-in/", {"user_id": "viewer", "password": "Demo#2024"})
        signed_in(demo.admin).post(f"/users/{demo.viewer.pk}/", edit_data(demo.viewer, status="disabled"))
        assert viewer_client.get("/menu/").url == reverse("site:welcome")

    def test_the_administrator_cannot_disable_themselves(self, demo, signed_in):
        admin = Login.objects.get(pk=demo.admin.pk)
        html = (
            signed_in(demo.admin)
            .post(f"/users/{admin.pk}/", {"version": admin.version, "user_name": "A", "status": "disabled"})
            .content.decode()
        )
        assert "cannot disable your own login" in html
        assert Login.objects.get(pk=admin.pk).status == LoginStatus.ACTIVE

    def test_a_replayed_stale_form_is_refused_and_shows_current_values(self, demo, signed_in):
        client = signed_in(demo.admin)
        stale = edit_data(demo.viewer, user_name="Second")
        client.post(f"/users/{demo.viewer.pk}/", edit_data(demo.viewer, user_name="First"))
        html = client.post(f"/users/{demo.viewer.pk}/", stale).content.decode()
        assert "after you opened this page" in html and 'value="First"' in html
        assert Login.objects.get(pk=demo.viewer.pk).user_name == "First"

    def test_transfer_asks_first_then_moves_the_role(self, demo, signed_in):
        client = signed_in(demo.admin)
        data = edit_data(demo.filer, is_administrator="on")
        html = client.post(f"/users/{demo.filer.pk}/", data).content.decode()
        assert "you will no longer have those rights" in html
        assert Login.objects.get(pk=demo.admin.pk).is_administrator  # nothing yet
        response = client.post(f"/users/{demo.filer.pk}/", data | {"confirm_transfer": "1"})
        assert response.url == reverse("accounts:menu")
        assert Login.objects.get(pk=demo.filer.pk).is_administrator
        assert "Add/Update Users" not in client.get("/menu/").content.decode()
        assert client.get("/users/").status_code == 403

    def test_the_administrator_box_cannot_be_unchecked_on_the_administrator(self, demo, signed_in):
        admin = Login.objects.get(pk=demo.admin.pk)
        signed_in(demo.admin).post(
            f"/users/{admin.pk}/", {"version": admin.version, "user_name": "A", "status": "active"}
        )
        assert Login.objects.get(pk=admin.pk).is_administrator


def test_activity_shows_the_last_events_without_secrets(demo, signed_in):
    client = signed_in(demo.admin)
    client.post(
        f"/users/{demo.locked.pk}/",
        edit_data(demo.locked, status="active", set_temporary_password="on", temporary_password="unlock77"),
    )
    html = client.get("/users/activity/").content.decode()
    assert "User unlocked" in html and "locked1" in html and "unlock77" not in html
    assert "127.0.0.1" in html
    # In words, never the stored codes.
    assert "Status Locked to Active" in html and "Temporary password set" in html
    assert "{" not in html.split("<tbody>")[1].split("</tbody>")[0] and "temporary_password" not in html
    for _ in range(120):
        AuditEvent.objects.create(event="login.signed_in", business=demo.nutmeg)
    html = client.get("/users/activity/").content.decode()
    assert html.count("<tr>") == 101  # header + 100 rows


def test_activity_is_limited_to_the_business(demo, signed_in):
    AuditEvent.objects.create(event="login.created", business=demo.bakery, data={"marker": "bakery-only"})
    assert "bakery-only" not in signed_in(demo.admin).get("/users/activity/").content.decode()


def test_activity_says_rights_in_words(demo, signed_in):
    from tsc.accounts.selectors import activity_details

    names = {"ST": "Sales and Use Tax", "WH": "Withholding"}
    assert activity_details({"rights": {"ST": "file", "WH": "view"}, "administrator": False}, names) == [
        "Sales and Use Tax: File Only",
        "Withholding: View Only",
    ]
    assert activity_details({"rights": {"ST": {"from": "none", "to": "file_pay"}}}, names) == [
        "Sales and Use Tax: No Access to File and Pay"
    ]
    assert activity_details({"reason": "identity_answers"}, names) == [
        "Reason: wrong answers to the identity questions"
    ]
