import { describe, expect, it } from 'vitest';
import type { Plan } from '../contracts/plan.js';
import { DEMO_REQUEST, renderDemoBanner, renderDemoFooter, renderIndependence } from './render-demo.js';

describe('renderDemoBanner', () => {
  it('says plainly that the model is simulated and how to use a real one', () => {
    const text = renderDemoBanner({ model: undefined, simulated: true, workdir: '/tmp/fanout-demo-x', notRepository: undefined, noShell: undefined, taskCount: 5 }).join('\n');
    expect(text).toContain('SIMULATED model');
    expect(text).toContain('ANTHROPIC_API_KEY=... fanout demo --model anthropic:claude-sonnet-5-5');
    expect(text).toContain(DEMO_REQUEST);
    expect(text).toContain('/tmp/fanout-demo-x');
  });
  it('names the real model when one is given', () => {
    const text = renderDemoBanner({ model: 'anthropic:claude-sonnet-5-5', simulated: false, workdir: '/w', notRepository: undefined, noShell: undefined, taskCount: 5 }).join('\n');
    expect(text).toContain('model anthropic:claude-sonnet-5-5 (real)');
    expect(text).not.toContain('SIMULATED');
  });
});

describe('renderIndependence', () => {
  it('gives the verdict and each task role and scopes', () => {
    const plan: Plan = { tasks: [{ id: 'login', prompt: 'p', role: 'backend', files: ['src/app.ts'], writes: ['src/auth/login.ts'] }] };
    const lines = renderIndependence(plan, { tasks: ['login'], edges: [], conflicts: [], order: ['login'], criticalPath: ['login'], levels: [['login']] });
    expect(lines[0]).toBe('Independence check: 1 independent task, no conflicts: it can start at once.');
    expect(lines[1]).toMatch(/login\s+backend\s+reads src\/app\.ts\s+writes src\/auth\/login\.ts/);
  });
});

describe('renderDemoFooter', () => {
  it('lists written files and a fanout output command per handle', () => {
    const lines = renderDemoFooter({ workdir: '/w', written: [{ path: 'src/auth/login.ts', bytes: 812 }], handles: [{ id: 'login', handle: 'fo-1' }], home: '/h', homeFromEnv: true });
    const text = lines.join('\n');
    expect(text).toMatch(/src\/auth\/login\.ts\s+812 bytes/);
    expect(text).toMatch(/fanout output fo-1\s+# login/);
    expect(text).toContain('FANOUT_HOME=/h');
  });
});
