/**
 * The services a started app exposes, one entry per capability that offers one (`app.incidents`, `app.ask`, …).
 * Each capability adds its entry from its own folder by declaration merging:
 *
 *   declare module '../capabilities/services.js' { interface CapabilityServices { incidents: IncidentService } }
 *
 * so that deleting a capability's folder also deletes its entry, and nothing outside it names the service.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each capability's folder
export interface CapabilityServices {}
