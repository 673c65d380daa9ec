import pytest

from tsc.accounts.acting import Acting
from tsc.accounts.models import AccessLevel, Login, LoginStatus, UserRight
from tsc.accounts.rights import Action, may
from tsc.accounts.selectors import backup_gaps
from tsc.accounts.services import ServiceError, SignInOutcome, sign_in_check
from tsc.accounts.user_services import administrator_transfer, user_add, user_update
from tsc.audit.models import AuditEvent


def reload(login):
    return Login.objects.get(pk=login.pk)


def all_rights(demo, level):
    return {demo.sales: level, demo.withholding: level, demo.non_wage: level}


def levels(login):
    return dict(UserRight.objects.filter(login=login).values_list("tax_type__code", "level"))


class TestAddUser:
    def test_it_adds_a_user_with_a_temporary_password_and_rights(self, demo):
        rights = {
            demo.sales: AccessLevel.FILE_ONLY,
            demo.withholding: AccessLevel.NO_ACCESS,
            demo.non_wage: AccessLevel.VIEW_ONLY,
        }
        login = user_add(
            actor=demo.admin, user_id="smithj", user_name="Jane Smith", temporary_password="temp123", rights=rights
        )
        assert login.must_change_password and login.business == demo.nutmeg and not login.is_administrator
        assert levels(login) == {"ST": "file", "WH": "none", "WN": "view"}
        assert sign_in_check(business=demo.nutmeg, user_id="smithj", password="temp123").outcome == SignInOutcome.OK
        event = AuditEvent.objects.get(event="login.created", target_id=str(login.pk))
        assert event.actor == demo.admin and event.data["rights"] == {"ST": "file", "WH": "none", "WN": "view"}
        assert "temp123" not in str(event.data)

    def test_rights_are_required_for_every_tax_type(self, demo):
        with pytest.raises(ServiceError, match="Withholding Non-Wage"):
            user_add(
                actor=demo.admin,
                user_id="smithj",
                user_name="J",
                temporary_password="temp123",
                rights={demo.sales: "file", demo.withholding: "file"},
            )
        assert not Login.objects.filter(user_id="smithj").exists()

    def test_duplicate_user_ids_are_refused(self, demo):
        with pytest.raises(ServiceError, match="already in use") as info:
            user_add(
                actor=demo.admin,
                user_id="Viewer",
                user_name="V",
                temporary_password="temp123",
                rights=all_rights(demo, "view"),
            )
        assert info.value.field == "user_id"

    @pytest.mark.parametrize("weak", ["abcdefg", "1234567", "ab1", "abcdefghij12"])
    def test_weak_temporary_passwords_are_refused(self, demo, weak):
        with pytest.raises(ServiceError):
            user_add(
                actor=demo.admin,
                user_id="smithj",
                user_name="J",
                temporary_password=weak,
                rights=all_rights(demo, "view"),
            )

    def test_only_the_administrator_may_add(self, demo):
        with pytest.raises(ServiceError, match="Only the TSC Administrator"):
            user_add(
                actor=demo.filepay,
                user_id="smithj",
                user_name="J",
                temporary_password="temp123",
                rights=all_rights(demo, "view"),
            )


class TestEditUser:
    def edit(self, demo, login, **overrides):
        login = reload(login)
        kwargs = dict(
            actor=demo.admin,
            login_id=login.pk,
            expected_version=login.version,
            user_name=login.user_name,
            status=login.status,
            rights={
                t: AccessLevel(v)
                for t, v in [
                    (demo.sales, levels(login).get("ST", "none")),
                    (demo.withholding, levels(login).get("WH", "none")),
                    (demo.non_wage, levels(login).get("WN", "none")),
                ]
            },
        )
        return user_update(**(kwargs | overrides))

    def test_rights_change_takes_effect_at_once(self, demo):
        filepay = reload(demo.filepay)
        assert may(Acting.for_login(filepay), Action.MAKE_PAYMENT, tax_type=demo.sales)
        self.edit(demo, demo.filepay, rights=all_rights(demo, AccessLevel.VIEW_ONLY))
        assert not may(Acting.for_login(reload(demo.filepay)), Action.MAKE_PAYMENT, tax_type=demo.sales)
        event = AuditEvent.objects.filter(event="login.updated").latest("id")
        assert event.data["rights"]["ST"] == {"from": "file_pay", "to": "view"}

    def test_remove_some_or_all_rights(self, demo):
        self.edit(demo, demo.filepay, rights=all_rights(demo, AccessLevel.NO_ACCESS))
        assert set(levels(demo.filepay).values()) == {"none"}

    def test_disable_and_activate(self, demo):
        self.edit(demo, demo.viewer, status=LoginStatus.DISABLED)
        assert reload(demo.viewer).status == LoginStatus.DISABLED
        assert (
            sign_in_check(business=demo.nutmeg, user_id="viewer", password="Demo#2024").outcome
            == SignInOutcome.DISABLED
        )
        self.edit(demo, demo.viewer, status=LoginStatus.ACTIVE)
        assert sign_in_check(business=demo.nutmeg, user_id="viewer", password="Demo#2024").outcome == SignInOutcome.OK

    def test_unlock_with_a_temporary_password(self, demo):
        self.edit(demo, demo.locked, status=LoginStatus.ACTIVE, temporary_password="unlock99")
        locked = reload(demo.locked)
        assert locked.status == LoginStatus.ACTIVE and locked.must_change_password and locked.failed_logins == 0
        assert sign_in_check(business=demo.nutmeg, user_id="locked1", password="unlock99").outcome == SignInOutcome.OK
        event = AuditEvent.objects.get(event="login.unlocked")
        assert event.data["status"] == {"from": "locked", "to": "active"} and event.data["temporary_password"]

    def test_unlock_keeps_the_old_password_when_none_is_given(self, demo):
        self.edit(demo, demo.locked, status=LoginStatus.ACTIVE)
        assert sign_in_check(business=demo.nutmeg, user_id="locked1", password="Demo#2024").outcome == SignInOutcome.OK

    def test_a_login_cannot_be_locked_by_hand(self, demo):
        with pytest.raises(ServiceError, match="locked only by failed sign-ins"):
            self.edit(demo, demo.viewer, status=LoginStatus.LOCKED)

    def test_the_administrator_cannot_disable_themselves(self, demo):
        with pytest.raises(ServiceError, match="cannot disable your own login"):
            self.edit(demo, demo.admin, status=LoginStatus.DISABLED)
        assert reload(demo.admin).status == LoginStatus.ACTIVE

    def test_a_stale_form_changes_nothing(self, demo):
        viewer = reload(demo.viewer)
        self.edit(demo, viewer, user_name="First change")
        with pytest.raises(ServiceError, match="changed") as info:
            self.edit(
                demo,
                viewer,
                expected_version=viewer.version,
                user_name="Replayed",
                rights=all_rights(demo, AccessLevel.FILE_AND_PAY),
            )
        assert info.value.field == "version"
        assert reload(demo.viewer).user_name == "First change"
        assert set(levels(demo.viewer).values()) == {"view"}

    def test_a_user_of_another_business_cannot_be_edited(self, demo):
        with pytest.raises(ServiceError, match="does not exist"):
            user_update(
                actor=demo.admin,
                login_id=demo.outsider.pk,
                expected_version=demo.outsider.version,
                user_name="x",
                status="disabled",
                rights={},
            )
        assert reload(demo.outsider).status == LoginStatus.ACTIVE

    def test_weak_temporary_password_on_edit_changes_nothing(self, demo):
        with pytest.raises(ServiceError):
            self.edit(demo, demo.locked, status=LoginStatus.ACTIVE, temporary_password="short")
        assert reload(demo.locked).status == LoginStatus.LOCKED


class TestAdministratorTransfer:
    def test_the_role_moves_and_the_old_administrator_keeps_file_and_pay(self, demo):
        administrator_transfer(actor=demo.admin, login_id=demo.filer.pk, expected_version=demo.filer.version)
        assert Login.objects.filter(business=demo.nutmeg, is_administrator=True).get() == demo.filer
        admin = reload(demo.admin)
        assert not may(Acting.for_login(admin), Action.MANAGE_USERS)
        assert may(Acting.for_login(admin), Action.SUBMIT_RETURN, tax_type=demo.sales)
        assert set(levels(admin).values()) == {"file_pay"}
        assert AuditEvent.objects.filter(event="login.administrator_transferred").get().data == {
            "from": "admin1",
            "to": "filer",
        }

    def test_the_former_administrator_can_no_longer_act(self, demo):
        administrator_transfer(actor=demo.admin, login_id=demo.filer.pk, expected_version=demo.filer.version)
        with pytest.raises(ServiceError, match="Only the TSC Administrator"):
            administrator_transfer(actor=demo.admin, login_id=demo.viewer.pk, expected_version=demo.viewer.version)
        with pytest.raises(ServiceError, match="Only the TSC Administrator"):
            user_update(
                actor=demo.admin,
                login_id=demo.viewer.pk,
                expected_version=demo.viewer.version,
                user_name="x",
                status="disabled",
                rights=all_rights(demo, "view"),
            )

    def test_a_locked_user_cannot_become_administrator(self, demo):
        with pytest.raises(ServiceError, match="Only an active user"):
            administrator_transfer(actor=demo.admin, login_id=demo.locked.pk, expected_version=demo.locked.version)

    def test_unlock_and_transfer_in_one_save(self, demo):
        locked = reload(demo.locked)
        user_update(
            actor=demo.admin,
            login_id=locked.pk,
            expected_version=locked.version,
            user_name="L",
            status="active",
            rights=all_rights(demo, "file_pay"),
            make_administrator=True,
        )
        assert reload(demo.locked).is_administrator and not reload(demo.admin).is_administrator

    def test_a_failed_transfer_rolls_back_the_rest_of_the_edit(self, demo):
        locked = reload(demo.locked)
        with pytest.raises(ServiceError):
            user_update(
                actor=demo.admin,
                login_id=locked.pk,
                expected_version=locked.version,
                user_name="Renamed",
                status="locked",
                rights=all_rights(demo, "view"),
                make_administrator=True,
            )
        assert reload(demo.locked).user_name == "Larry Locked"


def test_backup_banner_condition(demo):
    # filepay holds File and Pay on every tax type: no gap.
    assert backup_gaps(demo.nutmeg) == []
    UserRight.objects.filter(login=demo.filepay, tax_type=demo.withholding).update(level="file")
    assert [t.code for t in backup_gaps(demo.nutmeg)] == ["WH"]
    # Charter Oak Bakery has only its administrator.
    assert [t.code for t in backup_gaps(demo.bakery)] == ["ST", "WH", "WN"]
    # A disabled back-up does not count.
    Login.objects.filter(pk=demo.filepay.pk).update(status=LoginStatus.DISABLED)
    assert len(backup_gaps(demo.nutmeg)) == 3
