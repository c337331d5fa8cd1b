// Starter manifests for every kind the simulator knows, each valid as it is and small enough to
// read at a glance. Names are unique-ish so applying one twice in a row just reports "unchanged".

export const SNIPPETS = [
  {
    name: "Namespace",
    text: `apiVersion: v1
kind: Namespace
metadata:
  name: my-ns
`,
  },
  {
    name: "Node",
    text: `apiVersion: v1
kind: Node
metadata:
  name: worker-3
  labels:
    zone: b
`,
  },
  {
    name: "Pod",
    text: `apiVersion: v1
kind: Pod
metadata:
  name: busybox
  labels:
    app: debug
spec:
  containers:
  - name: busybox
    image: busybox
    command: ["sleep", "3600"]
`,
  },
  {
    name: "Deployment",
    text: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - name: http
          containerPort: 80
`,
  },
  {
    name: "Service (ClusterIP)",
    text: `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 8080
    targetPort: http
`,
  },
  {
    name: "Service (headless)",
    text: `apiVersion: v1
kind: Service
metadata:
  name: web-headless
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - name: http
    port: 80
`,
  },
  {
    name: "Service (NodePort)",
    text: `apiVersion: v1
kind: Service
metadata:
  name: web-nodeport
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
    nodePort: 30080
`,
  },
  {
    name: "Service (LoadBalancer)",
    text: `apiVersion: v1
kind: Service
metadata:
  name: web-lb
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
`,
  },
  {
    name: "Service (ExternalName)",
    text: `apiVersion: v1
kind: Service
metadata:
  name: database
spec:
  type: ExternalName
  externalName: db.example.com
`,
  },
  {
    name: "Ingress",
    text: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: foo.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 8080
`,
  },
  {
    name: "Job",
    text: `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  annotations:
    kubeviz.io/run-seconds: "10"
spec:
  completions: 4
  parallelism: 2
  backoffLimit: 4
  template:
    spec:
      containers:
      - name: pi
        image: perl
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(200)"]
      restartPolicy: Never
`,
  },
  {
    name: "DaemonSet",
    text: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      containers:
      - name: agent
        image: fluentd
`,
  },
  {
    name: "ConfigMap",
    text: `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
`,
  },
  {
    name: "Secret",
    text: `apiVersion: v1
kind: Secret
metadata:
  name: credentials
stringData:
  password: change-me
`,
  },
  {
    name: "ServiceAccount",
    text: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
`,
  },
  {
    name: "IngressClass",
    text: `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
`,
  },
];
