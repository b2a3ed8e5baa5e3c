/** Whether a model spec names the simulated model (`sim`, `sim:<anything>`). */
export function isSimulatedSpec(spec: string): boolean {
  return spec === 'sim' || spec.startsWith('sim:');
}
