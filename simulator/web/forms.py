"""The dashboard's forms. Each works as a plain HTML form (no JavaScript); the live dashboard
sends the same requests over the websocket (docs/protocol.md)."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings

from .. import lessons


def lesson_choices() -> list[tuple[str, str]]:
    return [("", "Empty cluster")] + [(lesson.name, lesson.title) for lesson in lessons.all_lessons()]


class ClusterCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="e.g. “Monday class” or “my sandbox”",
        widget=forms.TextInput(attrs={"placeholder": "my sandbox", "autocomplete": "off"}),
    )
    lesson = forms.ChoiceField(required=False, choices=(), help_text="start from a course scenario, or empty")
    workers = forms.IntegerField(
        min_value=1, max_value=20, initial=2, help_text="worker nodes besides the control plane"
    )
    load_balancer_pool = forms.CharField(
        required=False,
        max_length=43,
        label="LoadBalancer pool",
        help_text="a CIDR such as 192.0.2.240/28 gives LoadBalancer Services an IP; empty leaves them <pending>",
        widget=forms.TextInput(attrs={"placeholder": "none (IPs stay <pending>)"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = lesson_choices()


class ApplyForm(forms.Form):
    """`kubectl apply -f` of the text. `base_versions` (JSON, {"Service/default/web": "41"}) makes
    the edit conditional on those objects' resourceVersions (a stale one is a conflict)."""

    yaml = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "autocomplete": "off"}),
        strip=False,
        label="YAML",
    )
    dry_run = forms.BooleanField(required=False, label="Preview only (dry run)")
    base_versions = forms.CharField(required=False, widget=forms.HiddenInput)
    # The cluster's resourceVersion when the page was shown: without JavaScript (no base_versions),
    # an object the text names that changed since is a conflict, not a silent overwrite.
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean_yaml(self) -> str:
        text = self.cleaned_data["yaml"]
        limit = settings.KUBEVIZ_MAX_INPUT_BYTES
        if len(text.encode("utf-8")) > limit:
            raise forms.ValidationError(f"the text is over the limit of {limit} bytes")
        return text

    def clean_base_versions(self) -> dict | None:
        raw = (self.cleaned_data.get("base_versions") or "").strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError("base_versions must be a JSON object") from None
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise forms.ValidationError("base_versions must map Kind/namespace/name to a resourceVersion")
        return {k: (None if v is None else str(v)) for k, v in value.items()}


class DeleteObjectForm(forms.Form):
    kind = forms.CharField(max_length=30)
    namespace = forms.CharField(max_length=253, required=False)
    name = forms.CharField(max_length=253)


class ClockForm(forms.Form):
    action = forms.ChoiceField(choices=[("play", "play"), ("pause", "pause"), ("step", "step")])
    seconds = forms.FloatField(min_value=0, max_value=86400, required=False, initial=5)


class ForkForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)


class ResetForm(forms.Form):
    to = forms.ChoiceField(choices=[("lesson", "the lesson's start"), ("source", "the projector's state now")])


class ShareForm(forms.Form):
    public_read = forms.BooleanField(required=False, label="anyone with the link may watch")


class ClassCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"placeholder": "Monday networking", "autocomplete": "off"})
    )
    lesson = forms.ChoiceField(required=False, choices=(), help_text="the projected cluster starts from it")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = lesson_choices()


class JoinForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Class code",
        widget=forms.TextInput(
            attrs={"placeholder": "KQ7-MPX", "autocomplete": "off", "autocapitalize": "characters", "class": "code"}
        ),
    )
    display_name = forms.CharField(
        max_length=40,
        label="Your name",
        help_text="as your instructor will see it; no email, no password",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    spotlight_consent = forms.BooleanField(
        required=False, label="My name may be shown when the instructor puts my work on the projector"
    )


class RejoinForm(forms.Form):
    rejoin_code = forms.CharField(
        max_length=20,
        label="Rejoin code",
        widget=forms.TextInput(
            attrs={"placeholder": "R7KQ-MPX4-9TWZ", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class RenameForm(forms.Form):
    display_name = forms.CharField(max_length=40)


class JoiningForm(forms.Form):
    joining_open = forms.BooleanField(required=False)


class InstructorForm(forms.Form):
    username = forms.CharField(max_length=150, label="Instructor's user name")
