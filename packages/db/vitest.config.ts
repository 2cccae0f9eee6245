import { packageConfig } from "../../vitest.config.ts";

export default packageConfig("@repo/db");
