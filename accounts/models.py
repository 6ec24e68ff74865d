import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from accounts.usernames import canonical_username
from accounts.validators import validate_corporate_number
from core.text import normalize_compact, tidy


class Department(models.Model):
    """担当課: 契約管財課 and the ordering departments."""

    code = models.SlugField("課コード", max_length=30, unique=True)
    name = models.CharField("課名", max_length=100, unique=True)
    is_contract_section = models.BooleanField(
        "契約管財課", default=False, help_text="全担当課の契約事務を所管する課"
    )
    signer_name = models.CharField(
        "市の署名者 氏名", max_length=64, blank=True, help_text="例: 足利市長 ○○ ○○"
    )
    signer_email = models.EmailField("市の署名者 メールアドレス", blank=True)

    class Meta:
        verbose_name = "担当課"
        verbose_name_plural = "担当課"
        ordering = ["code"]
        permissions = [("view_all_departments", "全担当課の案件を閲覧できる")]

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    """事業者."""

    name = models.CharField("商号又は名称", max_length=200)
    address = models.CharField("住所", max_length=300)
    representative = models.CharField("代表者氏名", max_length=100)
    corporate_number = models.CharField(
        "法人番号",
        max_length=13,
        blank=True,
        validators=[validate_corporate_number],
        help_text="13桁（個人事業主は空欄）",
    )
    vendor_number = models.CharField(
        "業者番号",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z-]+$", "業者番号は半角英数字で入力してください。")],
    )
    phone = models.CharField(
        "電話",
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9-]{10,13}$", "電話番号は数字とハイフンで入力してください。")
        ],
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "事業者"
        verbose_name_plural = "事業者"
        ordering = ["vendor_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=~models.Q(corporate_number=""),
                name="company_corporate_number_unique",
                violation_error_message="この法人番号の事業者は既に登録されています。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Names as written (㈱ stays ㈱; spaces folded); codes normalised (full-width digits).
        self.name = tidy(self.name)
        self.address = tidy(self.address)
        self.representative = tidy(self.representative)
        self.corporate_number = normalize_compact(self.corporate_number).replace("-", "")
        self.vendor_number = normalize_compact(self.vendor_number)
        self.phone = normalize_compact(self.phone)
        super().clean_fields(exclude=exclude)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("メールアドレスは必須です。")
        user = self.model(email=canonical_username(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        # Every login path looks the account up by the canonical form of what was typed (the
        # lockout keys on the same form); iexact still finds addresses stored before it.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": canonical_username(username)})


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a contractor's user (belongs to one company) or city staff (no company)."""

    email = models.EmailField("メールアドレス", unique=True)
    name = models.CharField("氏名", max_length=100, blank=True)
    company = models.ForeignKey(
        Company,
        verbose_name="事業者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属課",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="市職員のみ。担当課の職員はこの課の案件だけを扱います。",
    )
    is_staff = models.BooleanField("市職員（管理画面を利用）", default=False)
    is_active = models.BooleanField("有効", default=True)
    date_joined = models.DateTimeField("登録日時", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(company__isnull=True),
                name="user_staff_has_no_company",
                violation_error_message="市職員は事業者に所属できません。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = canonical_username(self.email)
        if self.is_staff and self.company_id:
            raise ValidationError({"company": "市職員は事業者に所属できません。"})

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An invitation for a contractor user. Only the token's hash is stored."""

    email = models.EmailField("メールアドレス")
    name = models.CharField("氏名", max_length=100, blank=True)
    company = models.ForeignKey(
        Company, verbose_name="事業者", on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, verbose_name="招待者", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("招待日時", auto_now_add=True)
    expires_at = models.DateTimeField("有効期限")
    accepted_at = models.DateTimeField("利用日時", null=True, blank=True)
    accepted_user = models.ForeignKey(
        User,
        verbose_name="登録された利用者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "招待"
        verbose_name_plural = "招待"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email}（{self.company}）"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None
