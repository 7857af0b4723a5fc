"""Django field validators over the domain's identifier checks."""

from django.core.exceptions import ValidationError

from raschet.domain import identifiers


def _wrap(check):
    def validator(value: str) -> None:
        if not value:
            return
        try:
            check(value)
        except identifiers.IdentifierError as error:
            raise ValidationError(str(error)) from error

    # Migrations refer to validators by module and name, so the closure takes the name it is bound to.
    validator.__name__ = validator.__qualname__ = f"{check.__name__}_field"
    return validator


validate_snils_field = _wrap(identifiers.validate_snils)
validate_inn_field = _wrap(identifiers.validate_inn)
validate_kpp_field = _wrap(identifiers.validate_kpp)
validate_bic_field = _wrap(identifiers.validate_bic)
validate_ogrn_field = _wrap(identifiers.validate_ogrn)
