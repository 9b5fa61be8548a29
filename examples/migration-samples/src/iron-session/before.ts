// Before: iron-session 8 on node:http (the data sealed in the cookie).
import { createServer } from 'node:http';
import { getIronSession, type SessionOptions } from 'iron-session';

interface Data {
  userId?: string;
  views?: number;
}

const options: SessionOptions = {
  password: process.env.SESSION_PASSWORD ?? '', // 32+ characters
  cookieName: 'app_session',
  ttl: 14 * 24 * 60 * 60,
  cookieOptions: { httpOnly: true, secure: true, sameSite: 'lax', path: '/' },
};

createServer(async (req, res) => {
  const session = await getIronSession<Data>(req, res, options);
  if (req.url === '/login' && req.method === 'POST') {
    session.userId = 'ada';
    await session.save();
    res.writeHead(303, { location: '/' }).end();
  } else if (req.url === '/logout' && req.method === 'POST') {
    session.destroy();
    res.writeHead(303, { location: '/' }).end();
  } else {
    session.views = (session.views ?? 0) + 1;
    await session.save();
    res.end(`${session.views} views`);
  }
}).listen(3000);
