import type { z } from 'zod';
import type { Draft as DraftSchema, TemplateSummary } from '../../../shared/api/contract';

export type Draft = z.infer<typeof DraftSchema>;
export type { TemplateSummary };
