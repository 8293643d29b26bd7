/**
 * The page's Content-Security-Policy forbids eval; tell zod not to probe for it (its probe, `Function('')`, is
 * reported as a CSP violation). Zod decides when a schema is built, at import time, so this module is imported
 * first (main.tsx), before any module that builds schemas.
 */
import { z } from 'zod';

z.config({ jitless: true });
