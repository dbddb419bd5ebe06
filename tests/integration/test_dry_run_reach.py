"""The dry run on moto says how long sending would take (issue 17, part 4), next to the
cost: the phones it prices at the rate the template gives the ingest function."""

from __future__ import annotations

from alerts_local.stack import DeployedStack
from tests.integration.citizen_api import Api
from tests.integration.publisher_api import Publisher


def test_the_dry_run_gives_the_time_to_reach_the_phones_it_prices(stack: DeployedStack) -> None:
    citizens = Api(stack)
    citizens.subscribe_phone("+77011234567", countries=["KZ"], language="ru")
    citizens.subscribe_phone("+77011234568", countries=["KZ"], language="ky")
    reply = Publisher(stack).post_seed(dry_run=True)
    recipients = sum(line["recipients"] for line in reply["cost"]["lines"])
    assert recipients == 2
    reach = reply["reach"]
    assert reach["phones"] == 2
    assert reach["sms_per_second"] == 20  # SmsMessagesPerSecond's default in template.yaml
    assert reach["text"] == "2 phones: about 1 s at 20 SMS/s"
