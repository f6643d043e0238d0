# Referrals made without the person's agreement to share say on what basis (issue: "No"
# changed nothing). Referrals recorded before this was asked get the basis "not_recorded",
# so the constraint of 0004 holds for them and their pages still say they went without
# agreement; nobody is made to have given a basis they did not give.

from django.db import migrations, models

NOT_RECORDED = "not_recorded"


def mark_earlier_referrals_without_agreement(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(consent_to_share=False, sharing_basis="").update(
        sharing_basis=NOT_RECORDED
    )


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0002_referral_at_an_mdt'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='sharing_basis',
            field=models.CharField(blank=True, choices=[('best_interests', 'The person lacks capacity to decide, and referring is in their best interests'), ('safeguarding', 'Safeguarding: sharing is needed to protect the person or someone else'), ('urgent_risk', 'Urgent risk to life or health: there was no time to ask'), ('not_asked_yet', 'Not asked yet: the person will be asked at first contact'), ('not_recorded', 'Not recorded: referred before the reason was asked')], default='', max_length=20, verbose_name="Basis for referring without the person's agreement"),
        ),
        migrations.AddField(
            model_name='referral',
            name='sharing_note',
            field=models.CharField(blank=True, default='', max_length=300, verbose_name="Why the referral went ahead without the person's agreement"),
        ),
        # Backwards, the fields are dropped with their values: nothing to undo here.
        migrations.RunPython(mark_earlier_referrals_without_agreement, migrations.RunPython.noop),
    ]
