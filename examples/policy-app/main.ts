import { ApiObject, App, Chart } from 'cdk8s';
import { FunctionsPlatform } from 'platform-blueprints';

const app = new App();
const chart = new Chart(app, 'team', { disableResourceNameHashes: true });
new FunctionsPlatform(chart, 'Platform', {
  namespace: 'games',
  functions: [{ name: 'score', image: 'ghcr.io/org/score:1.4.2' }],
});

// BAD=1 adds what the policy refuses: a public LoadBalancer Service beside the platform's gateway (PB008).
if (process.env.BAD) {
  new ApiObject(chart, 'lb', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb', namespace: 'games' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  });
}
app.synth();
