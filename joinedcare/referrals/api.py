"""The intake API for other systems (a hospital ward's discharge list, a GP system).

POST /api/spa/referrals with a bearer token and an `Idempotency-Key` header. The body is
the same fields as the SPA coordinator's form (see /api/spa/openapi.json). A retry with
the same key returns the first referral (200, `"created": false`); the same key with a
different body is refused (409). Every invalid field is named in `errors` (400) and
nothing is saved. With `"consent_to_share": false` the referral also needs
`sharing_basis` and `sharing_note` (why it goes ahead without the person's agreement);
with `true` they are ignored.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import actions, sharing
from .forms import ReferralForm, YesNoField
from .models import ApiClient, Referral

MAX_KEY_LENGTH = 200


def _problem(status: int, errors: dict) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


def authenticate(request: HttpRequest) -> ApiClient | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return (
        ApiClient.objects.select_related("spa", "acts_as__organisation")
        .filter(token_hash=ApiClient.hash(token.strip()), active=True)
        .first()
    )


def form_data(body: dict, form_class) -> dict:
    """JSON values as form data: booleans as yes/no, absent or null as missing."""
    data = {}
    for name, field in form_class.base_fields.items():
        value = body.get(name)
        if value is None:
            continue
        if isinstance(field, YesNoField) and isinstance(value, bool):
            value = "yes" if value else "no"
        data[name] = value if isinstance(value, str) else json.dumps(value)
    return data


def parse_json(request: HttpRequest, form_class) -> tuple[dict | None, JsonResponse | None]:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None, _problem(400, {"body": ["The body is not valid JSON"]})
    if not isinstance(body, dict):
        return None, _problem(400, {"body": ["The body must be a JSON object"]})
    unknown = sorted(set(body) - set(form_class.base_fields))
    if unknown:
        return None, _problem(400, {name: ["Unknown field"] for name in unknown})
    return body, None


def _body(referral: Referral, created: bool) -> dict:
    return {
        "referral": referral.pk,
        "status": referral.status,
        "person": str(referral.person.public_id),
        "possible_duplicate_of": referral.possible_duplicate_of_id,
        "created": created,
    }


@login_not_required
@csrf_exempt
@require_POST
def referrals(request: HttpRequest) -> JsonResponse:
    client = authenticate(request)
    if client is None:
        return _problem(401, {"Authorization": ["Send a valid bearer token"]})
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return _problem(400, {"Idempotency-Key": ["Send an Idempotency-Key header"]})
    if len(key) > MAX_KEY_LENGTH:
        return _problem(400, {"Idempotency-Key": [f"At most {MAX_KEY_LENGTH} characters"]})
    digest = hashlib.sha256(request.body).hexdigest()
    replay = Referral.objects.filter(api_client=client, idempotency_key=key).first()
    if replay is not None:
        return _replayed(replay, digest)
    body, problem = parse_json(request, ReferralForm)
    if problem:
        return problem
    form = ReferralForm(form_data(body, ReferralForm))
    if not form.is_valid():
        return _problem(400, _messages(form.errors))
    try:
        referral, created = _intake(client, key, digest, form)
    except ValidationError as error:
        return _problem(400, error.message_dict)
    if not created:
        return _replayed(referral, digest)
    return JsonResponse(_body(referral, True), status=201)


def key_reused(referral: Referral, digest: str) -> JsonResponse | None:
    """409 when a retry's body (its SHA-256 `digest`) differs from the first try's; the
    Discharge to Assess API shares it, since its cases ride on a referral."""
    if referral.request_hash and referral.request_hash != digest:
        return _problem(
            409, {"Idempotency-Key": ["This key was already used for a different referral"]}
        )
    return None


def _replayed(referral: Referral, digest: str) -> JsonResponse:
    if refused := key_reused(referral, digest):
        return refused
    response = JsonResponse(_body(referral, False), status=200)
    response["Idempotent-Replayed"] = "true"
    return response


def _messages(errors) -> dict:
    return {field: [str(m) for m in problems] for field, problems in errors.items()}


@transaction.atomic
def _intake(client: ApiClient, key: str, digest: str, form: ReferralForm):
    person, _ = actions.find_or_create_person(by=client.acts_as, **form.person_details())
    return actions.receive_referral_once(
        by=client.acts_as,
        spa=client.spa,
        person=person,
        api_client=client,
        idempotency_key=key,
        request_hash=digest,
        **form.story(),
    )


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """A trivial endpoint: the benchmark's baseline, and a load balancer's check."""
    return JsonResponse({"status": "ok"})


def _schema_of(form_class) -> dict:
    properties, required = {}, []
    for name, field in form_class.base_fields.items():
        prop: dict = {"description": str(field.label or name)}
        if isinstance(field, YesNoField):
            prop["type"] = "boolean"
        elif hasattr(field, "choices") and not hasattr(field, "queryset"):
            prop |= {"type": "string", "enum": [c for c, _ in field.choices if c]}
        elif field.__class__.__name__ == "DateField":
            prop |= {"type": "string", "format": "date"}
        else:
            prop["type"] = "string"
            if getattr(field, "max_length", None):
                prop["maxLength"] = field.max_length
        properties[name] = prop
        if field.required:
            required.append(name)
    schema = {"type": "object", "properties": properties, "required": required}
    if conditional := getattr(form_class, "required_without_agreement", ()):
        # Without the person's agreement to share, the basis and the note are required.
        for name in conditional:
            properties[name] |= sharing.API_SCHEMA[name]
        schema["if"] = {
            "properties": {"consent_to_share": {"const": False}},
            "required": ["consent_to_share"],
        }
        schema["then"] = {"required": list(conditional)}
    return schema


@login_not_required
@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    """The intake API's OpenAPI 3.1 description, generated from the form it shares."""
    from joinedcare.discharge.forms import MedicallyFitForm

    errors = {
        "description": "Every invalid field, by name",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        }
                    },
                }
            }
        },
    }
    headers = [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        },
    ]
    return JsonResponse(
        {
            "openapi": "3.1.0",
            "info": {"title": "joinedcare Single Point of Access intake", "version": "1"},
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": {
                    "Referral": _schema_of(ReferralForm),
                    "MedicallyFit": _schema_of(MedicallyFitForm),
                },
            },
            "security": [{"bearer": []}],
            "paths": {
                "/api/spa/referrals": {
                    "post": {
                        "summary": "Refer a person to the Single Point of Access",
                        "parameters": headers,
                        "requestBody": {
                            "required": True,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Referral"}
                                }
                            },
                        },
                        "responses": {
                            "201": {"description": "Referral created"},
                            "200": {"description": "A retry: the referral the key made"},
                            "400": errors,
                            "401": errors,
                            "409": {"description": "Key reused for a different body"},
                        },
                    }
                },
                "/api/discharge/medically-fit": {
                    "post": {
                        "summary": "Add a person to a hospital's medically fit for discharge list",
                        "parameters": headers,
                        "requestBody": {
                            "required": True,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/MedicallyFit"}
                                }
                            },
                        },
                        "responses": {
                            "201": {"description": "Tracked from medically fit"},
                            "200": {"description": "A retry"},
                            "400": errors,
                        },
                    }
                },
            },
        }
    )
