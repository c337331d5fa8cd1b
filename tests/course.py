"""The course material's manifests (docs/course.md), written once for every test that teaches with them
(lessons/ holds the lessons themselves, as students load them).

Where the course's YAML is broken as printed, the valid form is here too (the broken one is
kept, as `*_AS_PRINTED`, for the tests that show its error).
"""

# course §1: the ExternalName example exactly as printed (its `labels:` line is not valid YAML).
MYSQL_AS_PRINTED = """\
apiVersion: v1
kind: Service
metadata:
   labels: io.kompose.service: mysql-server
   name: mysql-server
spec:
   type: ExternalName
   externalName: serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com
"""

# The same, with its labels written as a map, and a busybox pod to look it up from.
MYSQL = """
apiVersion: v1
kind: Service
metadata:
  labels: {io.kompose.service: mysql-server}
  name: mysql-server
spec:
  type: ExternalName
  externalName: serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com
---
apiVersion: v1
kind: Pod
metadata: {name: busybox}
spec: {containers: [{name: busybox, image: busybox}]}
"""

# course §4: the webapp Deployment (one replica, run=webapp, port 8080) behind its Service, and
# busybox to look it up from, in flow style (the tests count its lines).
WEBAPP_ONE_REPLICA = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: webapp, labels: {run: webapp}}
spec:
  replicas: 1
  selector: {matchLabels: {run: webapp}}
  template:
    metadata: {labels: {run: webapp}}
    spec: {containers: [{name: webapp, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: webapp}
spec: {selector: {run: webapp}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: busybox}
spec: {containers: [{name: busybox, image: busybox}]}
"""

# course §4: "Single service" Ingress (networking.k8s.io/v1beta1), as printed.
INGRESS_SINGLE_SERVICE = """
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
   name: test-ingress
spec:
   backend:
    serviceName: testsvc
    servicePort: 80
"""

# course §4: the /testpath Ingress (networking.k8s.io/v1beta1), as printed.
INGRESS_TESTPATH = """
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: test-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  rules:
  - http:
      paths:
      - path: /testpath
        backend:
          serviceName: test
          servicePort: 80
"""


# The zone=prod/version=v1 lesson's pair: a pod and the Service whose two-label selector picks it.
ZONE_PROD_WEB = """\
apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {zone: prod, version: v1}}
spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {zone: prod, version: v1}
  ports: [{port: 80, targetPort: 8080}]
"""


# course "Networking / Service discovery" (lessons/webapp.yaml): the webapp Deployment (label
# run=webapp, container port 8080), its Service, and a busybox pod to look it up from.
def webapp_deployment(replicas: int = 1, port_name: str | None = None) -> str:
    port = f"{{containerPort: 8080, name: {port_name}}}" if port_name else "{containerPort: 8080}"
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: webapp, labels: {{run: webapp}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{run: webapp}}}}
  template:
    metadata: {{labels: {{run: webapp}}}}
    spec:
      containers:
      - name: webapp
        image: nginx
        ports: [{port}]
"""


def webapp_service(type_: str = "ClusterIP", extra: str = "", port_name: str | None = None) -> str:
    """The webapp Service as a further document (it starts with `---`); a NodePort or
    LoadBalancer gets nodePort 30430, as in the course's `curl 172.18.0.3:30430`."""
    node_port = ", nodePort: 30430" if type_ in ("NodePort", "LoadBalancer") else ""
    name = f"name: {port_name}, " if port_name else ""
    return f"""
---
apiVersion: v1
kind: Service
metadata: {{name: webapp, labels: {{run: webapp}}}}
spec:
  type: {type_}
  selector: {{run: webapp}}
  ports: [{{{name}port: 8080, targetPort: 8080{node_port}}}]
{extra}"""


BUSYBOX = """
---
apiVersion: v1
kind: Pod
metadata: {name: busybox}
spec:
  containers: [{name: busybox, image: busybox, command: [sleep, "3600"]}]
"""

# The lesson as the course gives it: one webapp pod, its Service, then busybox.
WEBAPP = webapp_deployment() + webapp_service() + BUSYBOX
