/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "standalone", // a self-contained server for the container image
  poweredByHeader: false,
};

export default nextConfig;
