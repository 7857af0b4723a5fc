"""A payment's identity becomes its content (agent, operation number, date, account, amount) instead
of the caller's channel label (issue 10, item 4).

Existing rows keep working: each gets the agent a new import or request would give it — the
registry's format for registry payments (whatever ``--channel`` they were imported under), "cash",
"scenario", "move" by source, the old channel for API payments — and its identity computed by the
same scheme as ``raschet.payments.identity`` (copied here, frozen, as migrations must be). The old
(channel, operation) pairs were unique, and the identity includes the operation number and the
agent, so no two existing rows can collide.
"""

import hashlib

from django.db import migrations, models


def _identity(agent, operation_id, paid_on, account, amount):
    kopecks = int((amount * 100).to_integral_value())
    text = "\x1f".join(("v1", agent, operation_id, paid_on.isoformat(), account.strip(), str(kopecks)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fill(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    formats = dict(apps.get_model("payments", "PaymentRegistry").objects.values_list("id", "format"))
    changed = []
    for payment in Payment.objects.order_by("pk").iterator(chunk_size=5000):
        if payment.source == "registry" and payment.registry_id in formats:
            payment.agent = formats[payment.registry_id]
        elif payment.source in ("cash", "scenario", "move", "portal"):
            payment.agent = payment.source
        else:
            payment.agent = payment.channel
        payment.identity = _identity(payment.agent, payment.operation_id, payment.paid_on, payment.account_text,
                                     payment.amount)
        changed.append(payment)
        if len(changed) == 5000:
            Payment.objects.bulk_update(changed, ["agent", "identity"])
            changed = []
    Payment.objects.bulk_update(changed, ["agent", "identity"])


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="agent",
            field=models.CharField(default="", help_text="Кто принял деньги: банк (по формату реестра или шаблону), касса, клиент API.", max_length=80, verbose_name="агент"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment",
            name="identity",
            field=models.CharField(null=True, max_length=64, verbose_name="отпечаток платежа"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payment",
            name="identity",
            field=models.CharField(help_text="Агент, номер операции, дата, лицевой счёт и сумма: один платёж — одна запись, повтор распознаётся.", max_length=64, unique=True, verbose_name="отпечаток платежа"),
        ),
        migrations.RemoveConstraint(
            model_name="payment",
            name="payment_unique_operation",
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["agent", "operation_id"], name="payment_agent_operation"),
        ),
        migrations.AlterField(
            model_name="payment",
            name="channel",
            field=models.CharField(help_text="Подпись источника (банк, касса, клиент API); на распознавание повторов не влияет.", max_length=60, verbose_name="канал"),
        ),
        migrations.AddField(
            model_name="paymentregistry",
            name="problems",
            field=models.JSONField(blank=True, default=list, help_text="Строки реестра, показания которых не приняты (платёж принят).", verbose_name="отклонённые показания"),
        ),
    ]
