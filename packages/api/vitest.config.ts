import { packageConfig } from "../../vitest.config.ts";

export default packageConfig("@repo/api-router");
