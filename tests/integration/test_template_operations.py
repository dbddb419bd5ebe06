"""template.yaml for the operations engineer: every event source has bounded retries and an
on-failure destination, every failure mode has an alarm that reaches the operations topic,
and the dashboard is valid and shows every alarm."""

from __future__ import annotations

import json
import re
from typing import Any


def resources(cfn: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in cfn["Resources"].items() if r["Type"] == kind}


def alarm_metrics(alarm: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(namespace, metric, function or queue name reference) of every metric an alarm reads;
    a Metrics Insights query reads as ("query", its text, None)."""
    props = alarm["Properties"]
    if "MetricName" in props:
        dims = props.get("Dimensions", [{}])
        ref = json.dumps(dims[0].get("Value")) if dims and dims[0] else None
        return [(props["Namespace"], props["MetricName"], ref)]
    found: list[tuple[str, str, str | None]] = []
    for query in props["Metrics"]:
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            dims = metric.get("Dimensions", [])
            ref = json.dumps(dims[0]["Value"]) if dims else None
            found.append((metric["Namespace"], metric["MetricName"], ref))
        elif query.get("Expression", "").startswith("SELECT"):
            found.append(("query", query["Expression"], None))
    return found


def test_every_scheduled_function_has_bounded_async_retries_and_an_on_failure_queue(
    cfn: dict[str, Any],
) -> None:
    configs = {
        r["Properties"]["FunctionName"]["Ref"]: r["Properties"]
        for r in resources(cfn, "AWS::Lambda::EventInvokeConfig").values()
    }
    rules = resources(cfn, "AWS::Events::Rule")
    scheduled = {
        target["Arn"]["Fn::GetAtt"][0]
        for rule in rules.values()
        for target in rule["Properties"]["Targets"]
    }
    assert scheduled == {
        "FeedPollerFunction",
        "CapFeedFunction",
        "DeliveryReportFunction",
        "IngestFunction",  # the approval sweep
    }
    for function in scheduled:
        config = configs[function]
        assert 0 <= config["MaximumRetryAttempts"] <= 2
        queue = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        assert cfn["Resources"][queue]["Type"] == "AWS::SQS::Queue"
        # The function's own role must be allowed to send there (Lambda uses it).
        role = cfn["Resources"][cfn["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]]
        statements = [
            s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
        ]
        assert any(
            s["Action"] == ["sqs:SendMessage"] and s["Resource"] == {"Fn::GetAtt": [queue, "Arn"]}
            for s in statements
        ), function


def test_every_alarm_notifies_the_operations_topic(cfn: dict[str, Any]) -> None:
    alarms = resources(cfn, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 12
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "OperationsAlarmTopic"}], name
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching", name
        assert alarm["Properties"]["AlarmDescription"], name


def test_every_failure_mode_the_issue_names_has_an_alarm(cfn: dict[str, Any]) -> None:
    read = [
        m
        for alarm in resources(cfn, "AWS::CloudWatch::Alarm").values()
        for m in alarm_metrics(alarm)
    ]
    # Dead-letter depth of every queue.
    for queue in resources(cfn, "AWS::SQS::Queue"):
        assert any(
            m[:2] == ("AWS/SQS", "ApproximateNumberOfMessagesVisible") and queue in (m[2] or "")
            for m in read
        ), queue
    # Errors and throttles of every function.
    for function in resources(cfn, "AWS::Lambda::Function"):
        for metric in ("Errors", "Throttles"):
            assert any(
                m[:2] == ("AWS/Lambda", metric) and function in (m[2] or "") for m in read
            ), (function, metric)
    assert any(
        m[:2] == ("AWS/Lambda", "IteratorAge") and "FanoutFunction" in (m[2] or "") for m in read
    )
    assert ("AWS/SNS", "SMSMonthToDateSpentUSD", None) in read
    assert any(m[0] == "query" and "NumberOfNotificationsFailed" in m[1] for m in read)
    for metric in ("PossibleDuplicatePublishes", "PublishesRefused", "VersionsDeadLettered"):
        assert any(m[:2] == ("ConsularAlerts", metric) for m in read), metric


def _substituted(body: Any) -> str:
    """The dashboard body with every ${...} replaced, as CloudFormation would."""
    template, variables = body["Fn::Sub"]
    assert isinstance(template, str)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return "500" if name in {"SmsSpendAlarmUsd"} else f"placeholder-{name}"

    return re.sub(r"\$\{([^}!]+)\}", value, template), variables


def test_the_dashboard_is_valid_json_and_shows_every_alarm_and_function(
    cfn: dict[str, Any],
) -> None:
    [dashboard] = resources(cfn, "AWS::CloudWatch::Dashboard").values()
    text, variables = _substituted(dashboard["Properties"]["DashboardBody"])
    body = json.loads(text)
    widgets = body["widgets"]
    assert all(0 <= w["x"] < 24 and w["width"] <= 24 for w in widgets)
    [alarm_widget] = [w for w in widgets if w["type"] == "alarm"]
    shown = {
        a.removeprefix("placeholder-").removesuffix(".Arn")
        for a in alarm_widget["properties"]["alarms"]
    }
    assert shown == set(resources(cfn, "AWS::CloudWatch::Alarm"))
    raw = dashboard["Properties"]["DashboardBody"]["Fn::Sub"][0]
    for function in resources(cfn, "AWS::Lambda::Function"):
        assert "${" + function + "}" in raw, function
    # Every ${Name} is a resource, a parameter, a pseudo parameter or a given variable.
    names = set(re.findall(r"\$\{([^}]+)\}", raw))
    known = set(cfn["Resources"]) | set(cfn.get("Parameters", {})) | set(variables)
    for name in names:
        base = name.split(".")[0]
        assert base in known or base.startswith("AWS::"), name


def test_the_two_apis_have_distinct_names_for_their_metrics(cfn: dict[str, Any]) -> None:
    apis = resources(cfn, "AWS::ApiGateway::RestApi")
    names = [json.dumps(api["Properties"].get("Name")) for api in apis.values()]
    assert len(set(names)) == len(names) == 2
