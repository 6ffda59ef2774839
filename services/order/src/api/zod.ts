/** zod with the `.openapi()` extension, so that models double as the OpenAPI document's schemas. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
