# In a migration of its own: on PostgreSQL a table altered in the transaction that updated
# its rows (0003's backfill) may refuse the change.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0003_referral_sharing_basis'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('consent_to_share', True), models.Q(('sharing_basis', ''), _negated=True), _connector='OR'), name='referral_without_agreement_has_basis'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('consent_to_share', False), models.Q(('sharing_basis', ''), ('sharing_note', '')), _connector='OR'), name='referral_with_agreement_has_no_basis'),
        ),
    ]
