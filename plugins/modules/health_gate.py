#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
module: health_gate
short_description: Wait until HTTP endpoints and Docker containers are healthy several times in a row
version_added: 0.1.0
description:
  - Release health gate of a zero-downtime deploy. Probes HTTP endpoints and/or the Docker health of named containers
    in rounds, and succeeds once every check has passed in O(successes) consecutive rounds.
  - A failing check resets the streak. When O(timeout) runs out first, or a container has exited and
    O(fail_fast_on_exit=true), the module fails and returns a RV(diagnosis) with the last answers of the failing checks,
    the state of each failing container from C(docker inspect), and the tail of its C(docker logs).
  - HTTP checks use the Python standard library on the target. Redirects are not followed, so a C(3xx) answer is compared
    with O(urls[].status) like any other status. HTTP answers with status C(4xx) or C(5xx) are answers, not errors;
    connection errors and timeouts make the check fail for that round.
  - Container checks run C(docker inspect) on the target. A running container is healthy when its health status is
    C(healthy), or when it has no health check at all. Any other state (C(created), C(restarting), C(paused), C(exited),
    C(dead)) fails; C(exited) and C(dead) are terminal, see O(fail_fast_on_exit).
  - The module never changes anything, and it always runs the full gate, also in check mode.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads (HTTP requests, C(docker inspect), C(docker logs)), so it runs the full gate in check mode
        too and reports the real result.
  diff_mode:
    support: none
    details:
      - The module changes nothing, so there is nothing to diff.
  idempotent:
    description:
      - When run twice in a row with the same module options, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
    support: full
  platform:
    platforms: posix
options:
  urls:
    description:
      - HTTP endpoints to probe in every round.
      - Each item is either a dictionary with the keys below, or a plain URL string, which is short for a dictionary with
        only O(urls[].url) set.
      - At least one of O(urls) and O(containers) must be given.
    type: list
    elements: raw
    suboptions:
      url:
        description:
          - Absolute C(http://) or C(https://) URL.
        type: str
        required: true
      status:
        description:
          - HTTP status codes (100 to 599) that count as success.
        type: list
        elements: int
        default: [200]
      body_regex:
        description:
          - Python regular expression that must be found (C(re.search)) in the response body.
          - Only the first 1 MiB of the body is read.
          - Cannot be used with O(urls[].method=HEAD).
        type: str
      json_field:
        description:
          - Dotted path into the JSON response body, for example V(status) or V(checks.db.status). A numeric segment
            indexes a list (V(items.0.state)).
          - Without O(urls[].json_value) the field only has to exist. A body that is not JSON fails the check.
          - Cannot be used with O(urls[].method=HEAD).
        type: str
      json_value:
        description:
          - Expected value of O(urls[].json_field), compared as a string. JSON values other than strings are compared in
            their JSON spelling, so V(true) matches a JSON C(true) and V(1) matches both C(1) and C("1").
          - Quote values such as V("yes") or V("on") so YAML keeps them as strings.
          - Requires O(urls[].json_field).
        type: raw
      host:
        description:
          - Value of the C(Host) header, for example to probe a virtual host through V(http://127.0.0.1:8080/).
          - For C(https://) URLs, SNI and certificate validation still use the host of O(urls[].url).
          - Mutually exclusive with a C(Host) key in O(urls[].headers).
        type: str
      method:
        description:
          - HTTP method.
        type: str
        choices: [GET, HEAD]
        default: GET
      validate_certs:
        description:
          - Whether to validate TLS certificates of C(https://) URLs.
        type: bool
        default: true
      headers:
        description:
          - Additional request headers. Their values are not included in the return values.
        type: dict
  containers:
    description:
      - Names or IDs of Docker containers whose health must be C(healthy) (or, without a health check, whose state must
        be C(running)) in every round.
      - Requires the Docker CLI on the target, see O(docker_cli).
      - At least one of O(urls) and O(containers) must be given.
    type: list
    elements: str
  successes:
    description:
      - Number of consecutive rounds in which all checks must pass.
    type: int
    default: 3
  timeout:
    description:
      - Seconds after which the gate gives up. No round is started after the deadline; the last wait is shortened so
        that one round runs at the deadline.
      - Requests in progress are not interrupted, so the module can run up to about O(request_timeout) longer.
    type: float
    default: 60
  interval:
    description:
      - Seconds to wait between two rounds.
    type: float
    default: 1.0
  request_timeout:
    description:
      - Seconds to wait for each HTTP request (connection and each read).
    type: float
    default: 5
  use_proxy:
    description:
      - Whether HTTP checks use the proxy given by the C(http_proxy)/C(https_proxy)/C(no_proxy) environment variables
        of the target.
      - Off by default because a health gate usually probes local or internal addresses.
    type: bool
    default: false
  docker_cli:
    description:
      - Name or path of the Docker CLI on the target. Only used when O(containers) is given.
      - The CLI uses its usual environment (C(DOCKER_HOST), contexts) to reach the daemon.
    type: path
    default: docker
  log_lines:
    description:
      - Number of lines of C(docker logs) (stdout and stderr merged by time) collected for each failing container in
        RV(diagnosis). V(0) collects no logs.
    type: int
    default: 30
  fail_fast_on_exit:
    description:
      - Stop at once, without waiting for O(timeout), when a container is C(exited) or C(dead).
      - A container that Docker is about to restart is C(restarting), not C(exited), and does not stop the gate.
    type: bool
    default: true
requirements:
  - The Docker CLI on the target when O(containers) is used.
notes:
  - The task takes at least O(successes) - 1 times O(interval) seconds when it succeeds.
seealso:
  - module: ansible.builtin.uri
    description: Interact with web services, for a single request.
  - module: ansible.builtin.wait_for
    description: Wait for a port or a file, without checking what answers.
  - module: community.docker.docker_container_info
    description: Return the full C(docker inspect) information of a container.
  - name: Dockerfile HEALTHCHECK reference
    description: How containers define the health check whose status this module reads.
    link: https://docs.docker.com/reference/dockerfile/#healthcheck
author:
  - vmdeploy.backend maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Wait until the new release answers three times in a row
  vmdeploy.backend.health_gate:
    urls:
      - http://127.0.0.1:8081/healthz
    successes: 3
    timeout: 90

- name: Check the JSON health document behind the reverse proxy and the container health
  vmdeploy.backend.health_gate:
    urls:
      - url: https://127.0.0.1/health
        host: api.example.com
        validate_certs: false
        status: [200]
        json_field: checks.database.status
        json_value: UP
      - url: http://127.0.0.1:8081/version
        body_regex: '"version":\s*"{{ release_version }}"'
    containers:
      - api-green
      - worker-green
    successes: 5
    interval: 2
    timeout: 120
    log_lines: 50
  register: gate

- name: Accept a maintenance answer and only probe headers
  vmdeploy.backend.health_gate:
    urls:
      - url: http://127.0.0.1:8081/
        method: HEAD
        status: [200, 503]
        headers:
          X-Health-Probe: deploy

- name: Keep going after a failed gate to switch traffic back
  block:
    - name: Gate the green color
      vmdeploy.backend.health_gate:
        containers:
          - api-green
        timeout: 60
  rescue:
    - name: Show why the gate failed
      ansible.builtin.debug:
        var: ansible_failed_result.diagnosis
"""

RETURN = r"""
healthy:
  description: Whether all checks passed in O(successes) consecutive rounds.
  returned: always
  type: bool
  sample: true
attempts:
  description: Number of rounds that were run.
  returned: always
  type: int
  sample: 4
elapsed:
  description: Seconds the gate took.
  returned: always
  type: float
  sample: 3.021
last:
  description: Result of each check in the last round, URLs first, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: Type of the check.
      type: str
      returned: always
      choices: [url, container]
      sample: url
    target:
      description: The URL or the container name.
      type: str
      returned: always
      sample: http://127.0.0.1:8081/healthz
    ok:
      description: Whether the check passed.
      type: bool
      returned: always
      sample: true
    status:
      description: HTTP status code of the answer; V(null) for container checks and when no answer came.
      type: int
      returned: always
      sample: 200
    state:
      description:
        - Container health (V(healthy), V(unhealthy), V(starting)) or, for a container without a health check or not
          running, its state (V(running), V(exited), V(restarting), ...). V(unknown) when C(docker inspect) failed.
        - V(null) for URL checks.
      type: str
      returned: always
      sample: healthy
    body:
      description: First 512 characters of the response body; V(null) for container checks.
      type: str
      returned: always
      sample: '{"status": "UP"}'
    error:
      description: Why the check failed (connection error or mismatch); V(null) when it passed.
      type: str
      returned: always
      sample: status 503 not in [200]
    duration:
      description: Seconds the probe took.
      type: float
      returned: always
      sample: 0.004
    terminal:
      description: Whether the container is in a state it will not leave by itself (V(exited), V(dead)).
      type: bool
      returned: always
      sample: false
diagnosis:
  description: Why the gate failed.
  returned: failure, after the gate ran
  type: dict
  contains:
    reason:
      description: Why the gate stopped.
      type: str
      returned: always
      choices: [timeout, container_exited]
      sample: timeout
    attempts:
      description: Number of rounds that were run.
      type: int
      returned: always
      sample: 60
    elapsed:
      description: Seconds the gate took.
      type: float
      returned: always
      sample: 60.012
    streak:
      description: Consecutive successful rounds at the end.
      type: int
      returned: always
      sample: 0
    successes:
      description: Consecutive successful rounds that were required (O(successes)).
      type: int
      returned: always
      sample: 3
    failing:
      description:
        - The checks that failed in the last round. When all passed in the last round (the streak was still building),
          the checks that failed at least once.
      type: list
      elements: dict
      returned: always
      contains:
        kind:
          description: Type of the check, V(url) or V(container).
          type: str
          returned: always
          sample: url
        target:
          description: The URL or the container name.
          type: str
          returned: always
          sample: http://127.0.0.1:8081/healthz
        passes:
          description: Number of rounds in which the check passed.
          type: int
          returned: always
          sample: 0
        failures:
          description: Number of rounds in which the check failed.
          type: int
          returned: always
          sample: 60
        last_error:
          description: The most recent reason for a failure of the check.
          type: str
          returned: always
          sample: 'connection failed: [Errno 111] Connection refused'
        history:
          description: The last (at most 5) results of the check, oldest first, in the format of RV(last).
          type: list
          elements: dict
          returned: always
    containers:
      description: For each failing container, a fresh look at its state and logs, keyed by the name given in O(containers).
      type: dict
      returned: always
      sample:
        api-green:
          id: 4f1c2a9b7e3d
          name: api-green
          image: registry.example.com/api:1.4.2
          status: running
          running: true
          health_status: unhealthy
          failing_streak: 4
          health_log:
            - start: '2025-01-01T10:00:00.000000000Z'
              end: '2025-01-01T10:00:00.100000000Z'
              exit_code: 1
              output: 'curl: (7) Failed to connect to localhost port 8080'
          exit_code: 0
          error: null
          oom_killed: false
          restart_count: 0
          started_at: '2025-01-01T09:59:30.000000000Z'
          finished_at: '0001-01-01T00:00:00Z'
          logs:
            - '2025-01-01T10:00:01.000000000Z Listening on :8081'
      contains:
        id:
          description: Short container ID.
          type: str
          returned: when C(docker inspect) worked
        name:
          description: Container name.
          type: str
          returned: when C(docker inspect) worked
        image:
          description: Image the container was created from.
          type: str
          returned: when C(docker inspect) worked
        status:
          description: Container state (V(running), V(exited), V(restarting), ...).
          type: str
          returned: when C(docker inspect) worked
        running:
          description: Whether the container is running.
          type: bool
          returned: when C(docker inspect) worked
        health_status:
          description: Health status; V(null) when the container has no health check.
          type: str
          returned: when C(docker inspect) worked
        failing_streak:
          description: Consecutive failed health checks counted by Docker.
          type: int
          returned: when C(docker inspect) worked
        health_log:
          description: The last (at most 3) health check runs, with C(start), C(end), C(exit_code) and C(output) (first
            512 characters).
          type: list
          elements: dict
          returned: when C(docker inspect) worked
        exit_code:
          description: Exit code of the last run of the container.
          type: int
          returned: when C(docker inspect) worked
        error:
          description: Error Docker reported for the container, if any.
          type: str
          returned: when C(docker inspect) worked
        oom_killed:
          description: Whether the container was killed for lack of memory.
          type: bool
          returned: when C(docker inspect) worked
        restart_count:
          description: Number of times Docker restarted the container.
          type: int
          returned: when C(docker inspect) worked
        started_at:
          description: When the container was last started.
          type: str
          returned: when C(docker inspect) worked
        finished_at:
          description: When the container last stopped.
          type: str
          returned: when C(docker inspect) worked
        inspect_error:
          description: Why C(docker inspect) failed.
          type: str
          returned: when C(docker inspect) failed
        logs:
          description: Last O(log_lines) lines of C(docker logs --timestamps), stdout and stderr merged by time.
          type: list
          elements: str
          returned: when O(log_lines) is above V(0)
        logs_error:
          description: Why C(docker logs) failed.
          type: str
          returned: when C(docker logs) failed
msg:
  description: Human readable summary of the result.
  returned: always
  type: str
  sample: 'Health gate failed (timed out) after 60 attempt(s) in 60.0s; 0 of 3 consecutive successful rounds.
    Failing: url http://127.0.0.1:8081/healthz: status 503 not in [200]'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.vmdeploy.backend.plugins.module_utils.health_gate import (
    DockerCli,
    build_diagnosis,
    check_container,
    check_url,
    format_failure_message,
    format_success_message,
    run_gate,
    validate_params,
)


def main():
    argument_spec = dict(
        urls=dict(type='list', elements='raw'),
        containers=dict(type='list', elements='str'),
        successes=dict(type='int', default=3),
        timeout=dict(type='float', default=60),
        interval=dict(type='float', default=1.0),
        request_timeout=dict(type='float', default=5),
        use_proxy=dict(type='bool', default=False),
        docker_cli=dict(type='path', default='docker'),
        log_lines=dict(type='int', default=30),
        fail_fast_on_exit=dict(type='bool', default=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)

    try:
        config = validate_params(module.params)
    except ValueError as exc:
        module.fail_json(msg=to_native(exc))

    docker = None
    if config['containers']:
        docker = DockerCli(module.run_command, module.get_bin_path(config['docker_cli'], required=True))

    outcome = run_gate(
        config['checks'],
        probe_http=lambda spec: check_url(spec, config['request_timeout'], config['use_proxy']),
        probe_container=lambda name: check_container(name, docker.inspect),
        successes=config['successes'],
        timeout=config['timeout'],
        interval=config['interval'],
        fail_fast_on_exit=config['fail_fast_on_exit'],
    )
    result = dict(changed=False, healthy=outcome['healthy'], attempts=outcome['attempts'],
                  elapsed=outcome['elapsed'], last=outcome['last'])

    if outcome['healthy']:
        module.exit_json(msg=format_success_message(outcome), **result)

    diagnosis = build_diagnosis(
        outcome,
        inspect_container=docker.inspect if docker else None,
        container_logs=docker.logs if docker else None,
        log_lines=config['log_lines'],
    )
    module.fail_json(msg=format_failure_message(outcome), diagnosis=diagnosis, **result)


if __name__ == '__main__':
    main()
