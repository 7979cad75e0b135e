import { launchChromium } from './chromium-engine.js';
import type { Engine, EngineName } from './engine.js';
import { launchFirefox } from './firefox-engine.js';
import { launchWebKit } from './webkit-engine.js';

export function launchEngine(name: EngineName): Promise<Engine> {
  switch (name) {
    case 'chromium':
      return launchChromium();
    case 'firefox':
      return launchFirefox();
    case 'webkit':
      return launchWebKit();
    default: {
      const unknown: never = name;
      throw new Error(`Failed to launch a browser: unknown engine ${String(unknown)}`);
    }
  }
}
