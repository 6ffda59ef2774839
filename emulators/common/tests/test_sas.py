from __future__ import annotations

import time

import pytest
from azure.servicebus._base_handler import ServiceBusSharedKeyCredential
from emulator_common.sas import (
    AudienceMismatchError,
    InvalidSignatureError,
    SasFormatError,
    SasValidator,
    TokenExpiredError,
    UnknownKeyNameError,
    audience_matches,
    generate_sas_token,
    parse_sas_token,
)

KEYS = {"RootManageSharedAccessKey": "SAS_KEY_VALUE"}
AUDIENCE = "sb://127.0.0.1:5672/orders"


def test_token_from_the_official_sdk_credential_verifies():
    credential = ServiceBusSharedKeyCredential("RootManageSharedAccessKey", "SAS_KEY_VALUE")
    token = credential.get_token(AUDIENCE).token

    verified = SasValidator(KEYS).verify(token, AUDIENCE)

    assert verified.resource == AUDIENCE
    assert verified.key_name == "RootManageSharedAccessKey"
    assert verified.expiry > time.time()


def test_token_signed_with_another_key_is_refused():
    token = (
        ServiceBusSharedKeyCredential("RootManageSharedAccessKey", "not-the-key").get_token(AUDIENCE).token
    )

    with pytest.raises(InvalidSignatureError):
        SasValidator(KEYS).verify(token, AUDIENCE)


def test_unknown_key_name_is_refused():
    token = ServiceBusSharedKeyCredential("SomeoneElse", "SAS_KEY_VALUE").get_token(AUDIENCE).token

    with pytest.raises(UnknownKeyNameError) as raised:
        SasValidator(KEYS).verify(token)

    assert raised.value.key_name == "SomeoneElse"


def test_expired_token_is_refused():
    token = generate_sas_token(AUDIENCE, "RootManageSharedAccessKey", "SAS_KEY_VALUE", expiry=1_000)

    with pytest.raises(TokenExpiredError):
        SasValidator(KEYS, now=lambda: 1_000.0).verify(token)
    assert SasValidator(KEYS, now=lambda: 999.0).verify(token).expiry == 1_000


def test_tampered_resource_is_refused():
    token = generate_sas_token(AUDIENCE, "RootManageSharedAccessKey", "SAS_KEY_VALUE", expiry=2**40)

    with pytest.raises(InvalidSignatureError):
        SasValidator(KEYS).verify(token.replace("orders", "payments"))


def test_token_for_the_namespace_grants_its_entities():
    token = generate_sas_token("sb://127.0.0.1:5672/", "RootManageSharedAccessKey", "SAS_KEY_VALUE", 2**40)

    assert SasValidator(KEYS).verify(token, "amqps://127.0.0.1:5672/orders/$management").resource


def test_token_for_one_entity_does_not_grant_another():
    token = generate_sas_token(AUDIENCE, "RootManageSharedAccessKey", "SAS_KEY_VALUE", 2**40)

    with pytest.raises(AudienceMismatchError):
        SasValidator(KEYS).verify(token, "sb://127.0.0.1:5672/orders-archive")


def test_javascript_style_encoding_verifies():
    # encodeURIComponent leaves no '+' for spaces and keeps the same percent-escapes for ':' and '/'.
    from urllib.parse import quote

    from emulator_common.sas import _sign

    resource = "sb://127.0.0.1:5672/my queue"
    encoded = quote(resource, safe="")
    signature = quote(_sign(encoded, 2**40, "SAS_KEY_VALUE"), safe="")
    token = f"SharedAccessSignature sr={encoded}&sig={signature}&se={2**40}&skn=RootManageSharedAccessKey"

    assert SasValidator(KEYS).verify(token).resource == resource


@pytest.mark.parametrize(
    ("resource", "audience", "expected"),
    [
        ("sb://host/orders", "amqps://HOST/orders", True),
        ("sb://host/orders/", "sb://host/orders/$DeadLetterQueue", True),
        ("sb://host", "sb://host/anything", True),
        ("sb://host/orders", "sb://host/ordersx", False),
        ("sb://host/orders/x", "sb://host/orders", False),
    ],
)
def test_audience_prefix_matching(resource, audience, expected):
    assert audience_matches(resource, audience) is expected


@pytest.mark.parametrize(
    "token",
    [
        "Bearer abc",
        "SharedAccessSignature sr=a&sig=b&se=1",
        "SharedAccessSignature sr=a&sig=b&se=soon&skn=k",
        "SharedAccessSignature sr=a&sr=b&sig=b&se=1&skn=k",
        "SharedAccessSignature sr=a&garbage&se=1&skn=k",
    ],
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(SasFormatError):
        parse_sas_token(token)
