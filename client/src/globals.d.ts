// The only host APIs the client uses beyond ECMAScript: browsers, React Native and Node all have them.
declare function setTimeout(callback: () => void, ms: number): unknown;
