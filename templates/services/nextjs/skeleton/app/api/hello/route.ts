import { NextResponse } from "next/server";

import { auth } from "@/lib/auth";
import { countRequest } from "@/lib/metrics";

/** An API route: who is asking (null until an auth provider is wired into lib/auth.ts). */
export async function GET(request: Request): Promise<NextResponse> {
  const session = await auth.getSession(request);
  countRequest("/api/hello", 200);
  return NextResponse.json({ hello: session?.subject ?? "anonymous" });
}
